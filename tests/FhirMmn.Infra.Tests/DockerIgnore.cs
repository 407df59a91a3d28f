using System.Text;
using System.Text.RegularExpressions;

namespace FhirMmn.Infra.Tests;

/// <summary>
/// A .dockerignore as Docker applies it: patterns in order, the last that matches a path or one of its parent
/// folders decides, '!' takes a path back in; '*' and '?' stay within a folder, '**' crosses folders.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Include)> rules = [];

    private DockerIgnore()
    {
    }

    public static DockerIgnore Parse(string text)
    {
        var ignore = new DockerIgnore();
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var include = line.StartsWith('!');
            var pattern = (include ? line[1..] : line).Trim().Trim('/');
            ignore.rules.Add((new Regex("^" + Glob(pattern) + "$", RegexOptions.CultureInvariant), include));
        }

        return ignore;
    }

    /// <summary>Whether a path (relative to the build context, '/' separated) is sent to the build.</summary>
    public bool Sends(string path)
    {
        var candidates = Prefixes(path.Trim('/')).ToList();
        var sent = true;
        foreach (var (pattern, include) in rules)
        {
            if (candidates.Any(pattern.IsMatch))
            {
                sent = include;
            }
        }

        return sent;
    }

    private static IEnumerable<string> Prefixes(string path)
    {
        var parts = path.Split('/');
        for (var count = 1; count <= parts.Length; count++)
        {
            yield return string.Join('/', parts.Take(count));
        }
    }

    private static string Glob(string pattern)
    {
        var regex = new StringBuilder();
        for (var index = 0; index < pattern.Length; index++)
        {
            var c = pattern[index];
            if (c == '*' && index + 1 < pattern.Length && pattern[index + 1] == '*')
            {
                index++;
                if (index + 1 < pattern.Length && pattern[index + 1] == '/')
                {
                    index++;
                    regex.Append("(?:.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return regex.ToString();
    }
}
