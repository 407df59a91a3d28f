using System.Text.RegularExpressions;

namespace FhirMmn.Infra.Tests;

/// <summary>One instruction of a Dockerfile: its keyword (upper case) and its arguments, continuation lines joined.</summary>
internal sealed record Instruction(string Keyword, string Arguments, int Line);

/// <summary>
/// A Dockerfile read as Docker reads it, as far as the rules below need: comments and blank lines dropped,
/// lines ending in a backslash joined, stages split at FROM, the global ARG defaults substituted in FROM.
/// </summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Instruction> global, IReadOnlyList<IReadOnlyList<Instruction>> stages)
    {
        Global = global;
        Stages = stages;
    }

    /// <summary>Instructions before the first FROM (ARGs usable in FROM).</summary>
    public IReadOnlyList<Instruction> Global { get; }

    /// <summary>Each stage, its FROM first.</summary>
    public IReadOnlyList<IReadOnlyList<Instruction>> Stages { get; }

    public IReadOnlyList<Instruction> Final => Stages[^1];

    public IEnumerable<Instruction> All => Global.Concat(Stages.SelectMany(stage => stage));

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<Instruction>();
        var pending = new List<string>();
        var start = 0;
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            var trimmed = line.Trim();
            if (pending.Count == 0 && (trimmed.Length == 0 || trimmed.StartsWith('#')))
            {
                continue;
            }

            if (pending.Count > 0 && trimmed.StartsWith('#'))
            {
                continue;
            }

            if (pending.Count == 0)
            {
                start = index + 1;
            }

            var continued = trimmed.EndsWith('\\');
            pending.Add(continued ? trimmed[..^1].TrimEnd() : trimmed);
            if (!continued)
            {
                var joined = string.Join(' ', pending.Where(part => part.Length > 0));
                var space = joined.IndexOfAny([' ', '\t']);
                instructions.Add(space < 0
                    ? new Instruction(joined.ToUpperInvariant(), string.Empty, start)
                    : new Instruction(joined[..space].ToUpperInvariant(), joined[(space + 1)..].Trim(), start));
                pending.Clear();
            }
        }

        var global = instructions.TakeWhile(instruction => instruction.Keyword != "FROM").ToList();
        var stages = new List<List<Instruction>>();
        foreach (var instruction in instructions.Skip(global.Count))
        {
            if (instruction.Keyword == "FROM")
            {
                stages.Add([instruction]);
            }
            else
            {
                stages[^1].Add(instruction);
            }
        }

        return new Dockerfile(global, stages);
    }

    /// <summary>The image a stage starts from, with ${ARG} replaced by the global ARG's default.</summary>
    public string BaseImage(IReadOnlyList<Instruction> stage)
    {
        var defaults = Global.Where(instruction => instruction.Keyword == "ARG")
            .Select(instruction => instruction.Arguments.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim());
        var image = stage[0].Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .First(part => !part.StartsWith("--", StringComparison.Ordinal));
        return ArgReference().Replace(image, match => defaults.GetValueOrDefault(match.Groups[1].Value, match.Value));
    }

    /// <summary>Name/value pairs of the ENV, ARG and LABEL instructions of a stage (or of all of them).</summary>
    public static IEnumerable<(string Keyword, string Name, string Value, int Line)> Assignments(IEnumerable<Instruction> instructions)
    {
        foreach (var instruction in instructions.Where(instruction => instruction.Keyword is "ENV" or "ARG" or "LABEL"))
        {
            var first = instruction.Arguments.Split(' ', 2)[0];
            if (!first.Contains('=', StringComparison.Ordinal))
            {
                // ENV NAME VALUE (the old form) or ARG NAME (no default).
                var parts = instruction.Arguments.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
                yield return (instruction.Keyword, parts[0], parts.Length > 1 ? parts[1] : string.Empty, instruction.Line);
                continue;
            }

            foreach (Match pair in Pair().Matches(instruction.Arguments))
            {
                yield return (instruction.Keyword, pair.Groups["name"].Value, pair.Groups["value"].Value.Trim('"'), instruction.Line);
            }
        }
    }

    [GeneratedRegex(@"\$\{?(\w+)\}?")]
    private static partial Regex ArgReference();

    [GeneratedRegex(@"(?<name>[\w.\-]+)=(?<value>""[^""]*""|\S*)")]
    private static partial Regex Pair();
}

/// <summary>
/// The rules the service's image keeps (issue 13): built in one stage, run in another; a non-root user; a
/// health check on /health/live; the data folder a volume owned by that user; listening on 0.0.0.0:8080 with
/// tokens required; no secret in the image. Each rule broken is one line of the answer.
/// </summary>
internal static partial class DockerfileRules
{
    public static IReadOnlyList<string> Check(Dockerfile file)
    {
        var problems = new List<string>();
        if (file.Stages.Count < 2)
        {
            problems.Add("not multi-stage: the SDK must not be in the image that runs.");
            return problems;
        }

        if (!file.BaseImage(file.Stages[0]).StartsWith("mcr.microsoft.com/dotnet/sdk:", StringComparison.Ordinal))
        {
            problems.Add("the first stage does not start from the .NET SDK image.");
        }

        if (!file.BaseImage(file.Final).StartsWith("mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal))
        {
            problems.Add("the final stage does not start from the ASP.NET Core runtime image.");
        }

        var build = file.Stages.Take(file.Stages.Count - 1).SelectMany(stage => stage).ToList();
        if (!build.Any(instruction => instruction.Keyword == "RUN" && PublishesTheService().IsMatch(instruction.Arguments)))
        {
            problems.Add("no build stage publishes src/FhirMmn.Service in Release.");
        }

        var final = file.Final;
        var user = final.LastOrDefault(instruction => instruction.Keyword == "USER")?.Arguments.Split(':')[0].Trim();
        if (user is null)
        {
            problems.Add("the final stage sets no USER: it would run as root.");
        }
        else if (user is "root" or "0" or "")
        {
            problems.Add($"the final stage runs as '{user}'.");
        }

        var health = final.LastOrDefault(instruction => instruction.Keyword == "HEALTHCHECK");
        if (health is null || health.Arguments.StartsWith("NONE", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("the final stage has no HEALTHCHECK.");
        }
        else if (!health.Arguments.Contains("/health/live", StringComparison.Ordinal))
        {
            problems.Add("the HEALTHCHECK does not ask /health/live.");
        }

        var env = Dockerfile.Assignments(final.Where(instruction => instruction.Keyword == "ENV"))
            .GroupBy(assignment => assignment.Name).ToDictionary(group => group.Key, group => group.Last().Value);
        if (env.GetValueOrDefault("ASPNETCORE_URLS") != "http://0.0.0.0:8080")
        {
            problems.Add("ASPNETCORE_URLS is not http://0.0.0.0:8080.");
        }

        if (!string.Equals(env.GetValueOrDefault("Security__RequireToken"), "true", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("Security__RequireToken is not true.");
        }

        if (!final.Any(instruction => instruction.Keyword == "EXPOSE" && instruction.Arguments.Split(' ').Contains("8080")))
        {
            problems.Add("port 8080 is not exposed.");
        }

        var data = env.GetValueOrDefault("FhirMmn__DataDirectory");
        if (data is null)
        {
            problems.Add("FhirMmn__DataDirectory is not set to the data volume.");
        }
        else
        {
            if (!final.Any(instruction => instruction.Keyword == "VOLUME"
                    && instruction.Arguments.Split([' ', ',', '[', ']', '"'], StringSplitOptions.RemoveEmptyEntries).Contains(data)))
            {
                problems.Add($"the data folder {data} is not a VOLUME.");
            }

            if (user is not null && !final.Any(instruction => instruction.Keyword == "RUN"
                    && instruction.Arguments.Contains("chown", StringComparison.Ordinal)
                    && instruction.Arguments.Contains(data, StringComparison.Ordinal)
                    && instruction.Arguments.Contains(user.Trim('"'), StringComparison.Ordinal)))
            {
                problems.Add($"the data folder {data} is not given to the user {user}.");
            }
        }

        foreach (var (keyword, name, value, line) in Dockerfile.Assignments(file.All))
        {
            if (SecretName().IsMatch(name) && !IsFlag(value))
            {
                problems.Add($"line {line}: {keyword} {name} holds a secret; secrets come from the environment at run time.");
            }
            else if (SecretValue().IsMatch(value))
            {
                problems.Add($"line {line}: {keyword} {name} holds what looks like a credential.");
            }
        }

        return problems;
    }

    /// <summary>true/false/1/0 or nothing: a switch like Security__RequireToken, not a secret.</summary>
    private static bool IsFlag(string value) => value.Length == 0 || value is "1" or "0" || bool.TryParse(value, out _);

    [GeneratedRegex(@"dotnet\s+publish\s+src/FhirMmn\.Service/FhirMmn\.Service\.csproj\b.*(--configuration|-c)\s+Release\b")]
    private static partial Regex PublishesTheService();

    [GeneratedRegex("secret|password|passwd|pwd|token|apikey|api_key|signingkey|connectionstring|accountkey|sharedaccesskey", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex("SharedAccessKey=|AccountKey=|Password=|Bearer\\s+[A-Za-z0-9._-]{8,}|-----BEGIN", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValue();
}
