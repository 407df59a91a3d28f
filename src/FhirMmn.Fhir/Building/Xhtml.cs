using System.Collections.Frozen;
using System.Text;

namespace FhirMmn.Fhir.Building;

/// <summary>
/// A small writer for FHIR narrative (R4 narrative rules, txt-1): the XHTML subset the specification allows,
/// every text escaped, and only the attributes a report needs (inline <c>style</c>, table spans and borders), so no
/// active content can get in. Text that XML cannot carry (C0 controls but tab and line feed, lone surrogates,
/// U+FFFE and U+FFFF) and the invisible DEL and C1 controls are left out rather than written: the strict reader lets
/// some of them through in strings, and one of them in a div makes the whole resource unreadable.
/// </summary>
internal sealed class Xhtml
{
    private static readonly FrozenSet<string> Elements = new[]
    {
        "div", "p", "b", "i", "br", "span", "table", "caption", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "h2", "h3", "h4",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Attributes = new[] { "style", "rowspan", "colspan", "border", "cellpadding" }
        .ToFrozenSet(StringComparer.Ordinal);

    private readonly StringBuilder text = new("<div xmlns=\"http://www.w3.org/1999/xhtml\">");

    public Xhtml Open(string element) => Open(element, []);

    /// <summary>Opens an element with an inline style (the builder's own CSS, never hospital text).</summary>
    public Xhtml Open(string element, string style) => Open(element, ("style", style));

    public Xhtml Open(string element, params (string Name, string Value)[] attributes)
    {
        if (!Elements.Contains(element))
        {
            throw new ArgumentException($"<{element}> is not an element this narrative writes.", nameof(element));
        }

        text.Append('<').Append(element);
        foreach (var (name, value) in attributes)
        {
            if (!Attributes.Contains(name))
            {
                throw new ArgumentException($"The attribute {name} is not one this narrative writes.", nameof(attributes));
            }

            text.Append(' ').Append(name).Append("=\"");
            Append(value);
            text.Append('"');
        }

        text.Append('>');
        return this;
    }

    public Xhtml Close(string element)
    {
        text.Append("</").Append(element).Append('>');
        return this;
    }

    public Xhtml Element(string element, string content) => Open(element).Text(content).Close(element);

    public Xhtml Element(string element, string content, string style) => Open(element, style).Text(content).Close(element);

    public Xhtml Bold(string content) => Element("b", content);

    /// <summary>An empty br, closed in place: "&lt;br&gt;&lt;/br&gt;" would read as two line breaks to an HTML parser.</summary>
    public Xhtml LineBreak()
    {
        text.Append("<br/>");
        return this;
    }

    public Xhtml Text(string content)
    {
        Append(content);
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

    /// <summary>The text as XML can carry it: what <see cref="Text"/> writes, before escaping.</summary>
    private static string Printable(string content)
    {
        var kept = new StringBuilder(content.Length);
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (char.IsHighSurrogate(c) && i + 1 < content.Length && char.IsLowSurrogate(content[i + 1]))
            {
                kept.Append(c).Append(content[++i]);
            }
            else if (IsPrintable(c))
            {
                kept.Append(c);
            }
        }

        return kept.ToString();
    }

    /// <summary>
    /// XML 1.0's Char production without carriage return (a line feed says it), DEL and the C1 controls (XML allows
    /// them, but they print as nothing or as boxes), and without surrogates, which only a pair may carry.
    /// </summary>
    private static bool IsPrintable(char c) => c switch
    {
        '\t' or '\n' => true,
        < ' ' => false,
        >= '\u007F' and <= '\u009F' => false,
        >= '\uD800' and <= '\uDFFF' => false,
        '\uFFFE' or '\uFFFF' => false,
        _ => true,
    };

    private void Append(string content)
    {
        foreach (var c in Printable(content))
        {
            switch (c)
            {
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                case '&': text.Append("&amp;"); break;
                case '"': text.Append("&quot;"); break;
                default: text.Append(c); break;
            }
        }
    }
}
