using System.CommandLine;
using FhirMmn.Fhir.Assessing;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Service.Feeds;
using FhirMmn.Service.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FhirMmn.Cli;

/// <summary>
/// <c>fhirmmn feeds list</c> and <c>fhirmmn feeds check FEED SAMPLE</c>: the feeds of a service's settings (an
/// appsettings file and the environment, as the service reads them), and a dry run of one feed on a sample bundle.
/// Nothing is sent anywhere, and no secret is read or shown.
/// </summary>
internal static class FeedCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Stream stdin)
    {
        var settings = new Option<string?>("--settings")
        {
            Description = "The service's settings file (appsettings JSON); environment variables apply over it as in the service. Code map paths are relative to its folder. Default: appsettings.json here, if there is one.",
        };
        var compact = new Option<bool>("--compact") { Description = "Write JSON on one line." };

        var list = new Command("list", "List the configured feeds: who may post, where results go, how the FHIR server is reached, the code maps. No secrets.") { settings };
        list.SetAction(result => CliApp.Execute(stdout, stderr, () =>
        {
            var registry = Load(result.GetValue(settings), stderr);
            if (registry is null)
            {
                return CliApp.UsageError;
            }

            foreach (var feed in registry.All)
            {
                stdout.WriteLine($"{feed.Name}");
                stdout.WriteLine($"  posts with:     feed claim {feed.FeedClaimValue}" + (feed.ClientId is null ? string.Empty : $", or client id {feed.ClientId}"));
                stdout.WriteLine($"  writes to:      {(feed.Server.BaseUrl is { } url ? url.ToString() : "the embedded store")}");
                stdout.WriteLine($"  auth:           {Auth(feed)}");
                stdout.WriteLine($"  rate limit:     {(feed.Server.RequestsPerSecond > 0 ? $"{feed.Server.RequestsPerSecond} requests/s" : "none")}");
                stdout.WriteLine($"  code maps:      {(feed.CodeMap.IsEmpty ? "none" : string.Join(", ", feed.CodeMap.Canonicals))}");
                stdout.WriteLine($"  patients by:    {feed.PatientIdentifierSystem ?? "the first identifier with system and value"}");
                stdout.WriteLine($"  report, plan:   {feed.ReportStatus}, {feed.CarePlanStatus}; episode gap {feed.EpisodeGap}");
            }

            return CliApp.Done;
        }));

        var feedName = new Argument<string>("FEED") { Description = "The feed's name." };
        var sample = new Argument<string>("SAMPLE") { Description = "A sample bundle of the feed (FHIR R4 JSON); - reads standard input." };
        var check = new Command("check", "Dry run of a feed: its code maps, the strict read and the contract check, the assessment, and the transaction that would be written to its FHIR server (printed, never sent). Exit 2 with the OperationOutcome when the sample would be refused.")
        {
            feedName, sample, settings, compact,
        };
        check.SetAction(result => CliApp.Execute(stdout, stderr, () =>
        {
            var registry = Load(result.GetValue(settings), stderr);
            if (registry is null)
            {
                return CliApp.UsageError;
            }

            if (registry.Find(result.GetValue(feedName)!) is not { } feed)
            {
                stderr.WriteLine($"No feed of that name is configured; configured: {string.Join(", ", registry.All.Select(f => f.Name))}.");
                return CliApp.UsageError;
            }

            var read = CliApp.Read(result.GetValue(sample)!, FeedReaderOptions.DefaultMaxBytes, new FeedReaderOptions
            {
                PatientIdentifierSystem = feed.PatientIdentifierSystem,
                CodeMap = feed.CodeMap,
            }, stdin);
            if (!read.Accepted)
            {
                stdout.WriteLine(FhirJson.Serialize(read.ToOperationOutcome(), indented: !result.GetValue(compact)));
                return CliApp.Refused;
            }

            var target = feed.Server.BaseUrl?.ToString().TrimEnd('/');
            var (_, writeBack) = Assessor.AssessOffline(read.Bundle!, feed.Name, target, feed.CodeMap.Canonicals,
                reportStatus: feed.ReportStatus == "final" ? "final" : "preliminary", carePlanStatus: feed.CarePlanStatus);
            stdout.WriteLine(FhirJson.Serialize(writeBack.Transaction, indented: !result.GetValue(compact)));
            stderr.WriteLine($"Dry run of feed {feed.Name}: nothing was sent; this transaction would go to {target ?? "the embedded store"}.");
            return CliApp.Done;
        }));

        return new Command("feeds", "The feeds of a service's settings: list them, or check one on a sample bundle before go-live.") { list, check };
    }

    private static string Auth(Feed feed) => feed.Server.Auth switch
    {
        "static" => "static bearer token (secret by reference)",
        "client-credentials" => $"OAuth 2.0 client credentials at {feed.Server.TokenEndpoint}, client {feed.Server.ClientId} (secret by reference)",
        "smart-backend-services" => $"SMART Backend Services at {feed.Server.TokenEndpoint}, client {feed.Server.ClientId}, key {feed.Server.KeyId} ({feed.Server.Algorithm})",
        "entra-id" => $"Microsoft Entra ID ({AccessTokenSource.EntraScope(feed)})",
        _ => "none",
    };

    /// <summary>The feeds as the service would have them; null (the lines on stderr) when the settings break a rule.</summary>
    private static FeedRegistry? Load(string? path, TextWriter stderr)
    {
        var builder = new ConfigurationBuilder();
        var file = path ?? (File.Exists("appsettings.json") ? "appsettings.json" : null);
        if (file is not null && !File.Exists(file))
        {
            throw new CliApp.UsageException($"No such file: {file}");
        }

        if (file is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        var configuration = builder.AddEnvironmentVariables().Build();
        var (service, serviceFailures) = SettingRules.BindAndCheck<FhirMmnOptions>(configuration.GetSection(FhirMmnOptions.Section), FhirMmnOptions.Section);
        var (server, serverFailures) = SettingRules.BindAndCheck<FhirServerOptions>(configuration.GetSection(FhirServerOptions.Section), FhirServerOptions.Section);
        var root = file is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(file))!;
        var registry = new FeedRegistry(configuration, Options.Create(service), Options.Create(server), root, resolveSecrets: false);
        var failures = serviceFailures.Concat(serverFailures).Concat(registry.Failures).ToList();
        foreach (var line in failures)
        {
            stderr.WriteLine(line);
        }

        return failures.Count == 0 ? registry : null;
    }
}
