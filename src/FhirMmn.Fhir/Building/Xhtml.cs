using System.Text;

namespace FhirMmn.Fhir.Building;

/// <summary>
/// A small writer for FHIR narrative: the XHTML subset the specification allows, every text escaped,
/// no attributes but the namespace, so no active content can get in.
/// </summary>
internal sealed class Xhtml
{
    private readonly StringBuilder text = new("<div xmlns=\"http://www.w3.org/1999/xhtml\">");

    public Xhtml Open(string element)
    {
        text.Append('<').Append(element).Append('>');
        return this;
    }

    public Xhtml Close(string element)
    {
        text.Append("</").Append(element).Append('>');
        return this;
    }

    public Xhtml Element(string element, string content) => Open(element).Text(content).Close(element);

    public Xhtml Text(string content)
    {
        foreach (var c in content)
        {
            switch (c)
            {
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                case '&': text.Append("&amp;"); break;
                case '"': text.Append("&quot;"); break;
                default:
                    // Control characters are not allowed in XML 1.0.
                    if (c >= ' ' || c is '\n' or '\t')
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return this;
    }

    public Xhtml HeaderRow(params string[] cells)
    {
        Open("tr");
        foreach (var value in cells)
        {
            Element("th", value);
        }

        return Close("tr");
    }

    public Xhtml DataRow(params string[] cells)
    {
        Open("tr");
        foreach (var value in cells)
        {
            Element("td", value);
        }

        return Close("tr");
    }

    public Xhtml List(IEnumerable<string> items)
    {
        Open("ul");
        foreach (var item in items)
        {
            Element("li", item);
        }

        return Close("ul");
    }

    public override string ToString() => text + "</div>";
}
