using System.Xml.Linq;
using FhirMmn.Testing;

namespace FhirMmn.Infra.Tests;

/// <summary>
/// The service's Dockerfile, read (no Docker engine runs here, so the image is never built in these tests):
/// its rules, and that the build context it gets holds what the service's build needs and nothing else.
/// </summary>
public sealed class DockerfileTests
{
    private const string Good = """
        ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
        FROM ${SDK_IMAGE} AS build
        COPY src/ src/
        RUN dotnet publish src/FhirMmn.Service/FhirMmn.Service.csproj --configuration Release \
              --output /app
        FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
        COPY --from=build /app ./
        RUN mkdir -p /app/data && chown "$APP_UID:$APP_UID" /app/data
        VOLUME ["/app/data"]
        ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
            FhirMmn__DataDirectory=/app/data \
            Security__RequireToken=true
        EXPOSE 8080
        USER $APP_UID
        HEALTHCHECK CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.1\\r\\n\\r\\n' >&3"]
        ENTRYPOINT ["dotnet", "FhirMmn.Service.dll"]
        """;

    private static Dockerfile Repositorys() => Dockerfile.Parse(File.ReadAllText(Repository.PathOf("Dockerfile")));

    [Fact]
    public void The_repository_dockerfile_keeps_every_rule()
    {
        Assert.Empty(DockerfileRules.Check(Repositorys()));
    }

    [Fact]
    public void A_dockerfile_that_keeps_every_rule_passes_the_check()
    {
        Assert.Empty(DockerfileRules.Check(Dockerfile.Parse(Good)));
    }

    public static TheoryData<string, string, string> Breaches() => new()
    {
        { "USER $APP_UID", "USER root", "runs as 'root'" },
        { "USER $APP_UID", "USER 0:0", "runs as '0'" },
        { "USER $APP_UID", "LABEL maintainer=fhirmmn", "sets no USER" },
        { "HEALTHCHECK CMD", "HEALTHCHECK NONE\n# CMD", "no HEALTHCHECK" },
        { "/health/live", "/health/ready", "does not ask /health/live" },
        { "Security__RequireToken=true", "Security__RequireToken=false", "Security__RequireToken is not true" },
        { "http://0.0.0.0:8080", "http://127.0.0.1:8080", "ASPNETCORE_URLS" },
        { "EXPOSE 8080", "EXPOSE 80", "port 8080 is not exposed" },
        { "VOLUME [\"/app/data\"]", "VOLUME [\"/tmp\"]", "is not a VOLUME" },
        { "chown \"$APP_UID:$APP_UID\" /app/data", "chmod 0777 /app/data", "is not given to the user" },
        { "--configuration Release", "--configuration Debug", "publishes src/FhirMmn.Service in Release" },
        { "FROM mcr.microsoft.com/dotnet/aspnet:10.0", "FROM mcr.microsoft.com/dotnet/sdk:10.0", "ASP.NET Core runtime image" },
        { "Security__RequireToken=true", "Security__RequireToken=true FhirServer__ClientSecret=s3cr3t-value", "FhirServer__ClientSecret holds a secret" },
        { "ENV ASPNETCORE_URLS", "ARG FHIR_TOKEN=eyJhbGciOi\nENV ASPNETCORE_URLS", "FHIR_TOKEN holds a secret" },
        { "Security__RequireToken=true", "Security__RequireToken=true Bus=\"Endpoint=sb://x/;SharedAccessKey=abc\"", "looks like a credential" },
        { "ENV ASPNETCORE_URLS", "ENV Security__SigningKey c2lnbmluZy1rZXktb2YtdGhpcnR5LXR3by1ieXRlcw==\nENV ASPNETCORE_URLS", "Security__SigningKey holds a secret" },
    };

    [Theory]
    [MemberData(nameof(Breaches))]
    public void A_dockerfile_that_breaks_a_rule_is_refused_with_the_rule(string original, string replacement, string expected)
    {
        Assert.Contains(original, Good, StringComparison.Ordinal);

        var problems = DockerfileRules.Check(Dockerfile.Parse(Good.Replace(original, replacement, StringComparison.Ordinal)));

        Assert.Contains(problems, problem => problem.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_single_stage_dockerfile_is_refused()
    {
        var problems = DockerfileRules.Check(Dockerfile.Parse("FROM mcr.microsoft.com/dotnet/sdk:10.0\nUSER app\n"));

        Assert.Contains(problems, problem => problem.Contains("multi-stage", StringComparison.Ordinal));
    }

    [Fact]
    public void The_restore_layer_copies_every_project_the_service_builds_from()
    {
        var dockerfile = Repositorys();
        var build = dockerfile.Stages[0];
        var restore = build.ToList().FindIndex(instruction => instruction.Keyword == "RUN" && instruction.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "The build stage has no dotnet restore.");
        var copied = build.Take(restore).Where(instruction => instruction.Keyword == "COPY")
            .SelectMany(instruction => instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .ToHashSet(StringComparer.Ordinal);

        var projects = ServiceProjects();

        Assert.Equal(["src/FhirMmn.Domain/FhirMmn.Domain.csproj", "src/FhirMmn.Fhir/FhirMmn.Fhir.csproj", "src/FhirMmn.Service/FhirMmn.Service.csproj"], projects.Order(StringComparer.Ordinal));
        Assert.All(projects, project => Assert.Contains(project, copied));
        Assert.All(["global.json", "nuget.config", ".editorconfig", "Directory.Build.props", "Directory.Packages.props"], file => Assert.Contains(file, copied));
    }

    [Fact]
    public void The_build_context_sends_the_service_sources_and_the_build_settings()
    {
        var ignore = DockerIgnore.Parse(File.ReadAllText(Repository.PathOf(".dockerignore")));
        var needed = new[] { "global.json", "nuget.config", ".editorconfig", "Directory.Build.props", "Directory.Packages.props" }
            .Concat(ServiceProjects().SelectMany(project => SourcesOf(Path.GetDirectoryName(project)!)))
            .ToList();

        Assert.Contains("src/FhirMmn.Fhir/R4/r4-schema.json", needed);
        Assert.All(needed, path => Assert.True(ignore.Sends(path), $"{path} is kept out of the build context."));
    }

    [Theory]
    [InlineData("tests/FhirMmn.Service.Tests/FhirMmn.Service.Tests.csproj")]
    [InlineData("node_modules/@medplum/core/package.json")]
    [InlineData("src/FhirMmn.Service/data/fhirmmn.db")]
    [InlineData("src/FhirMmn.Service/bin/Debug/net10.0/FhirMmn.Service.dll")]
    [InlineData("src/FhirMmn.Fhir/obj/project.assets.json")]
    [InlineData(".git/config")]
    [InlineData(".env")]
    [InlineData("src/FhirMmn.Service/.env")]
    [InlineData("infra/main.bicepparam")]
    [InlineData("examples/example-definite-ulnar-forearm.json")]
    public void The_build_context_keeps_out_what_the_image_does_not_need(string path)
    {
        var ignore = DockerIgnore.Parse(File.ReadAllText(Repository.PathOf(".dockerignore")));

        Assert.False(ignore.Sends(path), $"{path} would be sent to the build.");
    }

    /// <summary>The service's project and the projects it references, transitively, relative to the repository root.</summary>
    private static List<string> ServiceProjects()
    {
        var found = new List<string>();
        var pending = new Stack<string>([Repository.PathOf("src", "FhirMmn.Service", "FhirMmn.Service.csproj")]);
        while (pending.TryPop(out var project))
        {
            var relative = Path.GetRelativePath(Repository.Root, project).Replace('\\', '/');
            if (found.Contains(relative))
            {
                continue;
            }

            found.Add(relative);
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
            }
        }

        return found;
    }

    /// <summary>The files of a project folder in the repository (not bin/ or obj/).</summary>
    private static IEnumerable<string> SourcesOf(string folder) =>
        Directory.EnumerateFiles(Repository.PathOf(folder), "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'))
            .Where(file => !file.Contains("/bin/", StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/data/", StringComparison.Ordinal));
}
