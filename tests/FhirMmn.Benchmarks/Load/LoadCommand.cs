using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FhirMmn.Testing;

namespace FhirMmn.Benchmarks.Load;

internal sealed record LoadSettings(
    IReadOnlyList<string> Scenarios,
    int Bundles,
    int Concurrency,
    double Rate,
    int DurationSeconds,
    int FhirBundles,
    int ServiceConcurrency,
    int Warmup,
    bool Markdown,
    IReadOnlyList<string> Transports);

/// <summary>A run that could not measure (build failed, a process did not start, messages never settled): exit 1.</summary>
public sealed class LoadFailedException : Exception
{
    public LoadFailedException()
    {
    }

    public LoadFailedException(string message)
        : base(message)
    {
    }

    public LoadFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// End-to-end load of FhirMmn.Service run as its own process:
///   dotnet run -c Release --project tests/FhirMmn.Benchmarks -- load [--scenario ceiling|rate|fhir|fhir-direct]... [--transport embedded|rabbitmq]... [--markdown]
/// Measures and reports PASS/FAIL per target; exits 0 unless the run itself failed.
/// </summary>
internal static class LoadCommand
{
    private static readonly string[] AllScenarios = [Report.Ceiling, Report.FixedRate, Report.WithFhirServer, Report.FhirServerAlone];

    /// <summary>Runs <c>load [options]</c>; <paramref name="args"/> start with "load".</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var scenarios = new Option<string[]>("--scenario")
        {
            Description = "Run only these (repeatable): ceiling, rate, fhir, fhir-direct. Default: all four.",
            AllowMultipleArgumentsPerToken = true,
        };
        scenarios.AcceptOnlyFromAmong(AllScenarios);
        var bundles = Positive(new Option<int>("--bundles") { Description = "Bundles of the ceiling run.", DefaultValueFactory = _ => 5000 });
        var concurrency = Positive(new Option<int>("--concurrency") { Description = "HTTP connections to the service.", DefaultValueFactory = _ => 32 });
        var rate = new Option<double>("--rate") { Description = "Bundles per second of the fixed-rate run.", DefaultValueFactory = _ => 200 };
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() <= 0)
            {
                r.AddError("--rate must be above 0.");
            }
        });
        var duration = Positive(new Option<int>("--duration") { Description = "Seconds of the fixed-rate run.", DefaultValueFactory = _ => 20 });
        // Warm, the test FHIR server takes about 300 of the service's transactions a second here: 200 bundles were a 1 s run.
        var fhirBundles = Positive(new Option<int>("--fhir-bundles")
        {
            Description = "Bundles of the FHIR server run, and transactions of the FHIR-server-alone run.",
            DefaultValueFactory = _ => 1000,
        });
        var serviceDefault = ServiceDefaultConcurrency();
        var serviceConcurrency = Positive(new Option<int>("--service-concurrency")
        {
            Description = $"FhirMmn:Concurrency of the service (messages processed at once; default: the service's own default, {serviceDefault}); also the FHIR-server-alone concurrency.",
            DefaultValueFactory = _ => serviceDefault,
        });
        // Too short a warm-up leaves the service's JIT busy in the measurement (see Scenarios.WarmUpAsync). The FHIR
        // server gets no slower as it fills.
        var warmup = AtLeast(0, new Option<int>("--warmup")
        {
            Description = "Uncounted bundles (transactions, for the FHIR server alone) before each run.",
            DefaultValueFactory = _ => 2000,
        });
        var markdown = new Option<bool>("--markdown") { Description = "Print the tables as Markdown (for the README)." };
        var transports = new Option<string[]>("--transport")
        {
            Description = "The queue of the ceiling run (repeatable, each a run of its own, reported side by side): embedded, rabbitmq "
                + "(the broker of FHIRMMN_TEST_RABBITMQ, else one started for the run). Default: embedded. The other runs use the embedded queue.",
            AllowMultipleArgumentsPerToken = true,
        };
        transports.AcceptOnlyFromAmong(Scenarios.Embedded, Scenarios.RabbitMq);

        var command = new Command("load", "FhirMmn.Service end to end, as its own process, with its embedded queue: prints a table and PASS/FAIL per target.")
        {
            scenarios, bundles, concurrency, rate, duration, fhirBundles, serviceConcurrency, warmup, markdown, transports,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new LoadSettings(
                result.GetValue(scenarios) is { Length: > 0 } chosen ? chosen : AllScenarios,
                result.GetValue(bundles),
                result.GetValue(concurrency),
                result.GetValue(rate),
                result.GetValue(duration),
                result.GetValue(fhirBundles),
                result.GetValue(serviceConcurrency),
                result.GetValue(warmup),
                result.GetValue(markdown),
                result.GetValue(transports) is { Length: > 0 } queues ? queues : [Scenarios.Embedded]),
            cancellationToken));
        return await new RootCommand("FhirMmn benchmarks") { command }.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        var progress = Console.Error;
        var clock = Stopwatch.StartNew();
        try
        {
            progress.WriteLine("Building the service (Release)...");
            await ServiceProcess.BuildAsync(cancellationToken).ConfigureAwait(false);
            var generator = BundleGenerator.FromExample(Repository.PathOf("examples", "example-definite-ulnar-forearm.json"));
            var scenarios = new Scenarios(settings, generator, progress);
            var results = new List<ScenarioResult>();
            foreach (var scenario in AllScenarios.Where(settings.Scenarios.Contains))
            {
                if (scenario == Report.Ceiling)
                {
                    foreach (var transport in settings.Transports.Distinct())
                    {
                        results.Add(await scenarios.CeilingAsync(transport, cancellationToken).ConfigureAwait(false));
                    }

                    continue;
                }

                results.Add(scenario switch
                {
                    Report.FixedRate => await scenarios.FixedRateAsync(cancellationToken).ConfigureAwait(false),
                    Report.WithFhirServer => await scenarios.WithFhirServerAsync(cancellationToken).ConfigureAwait(false),
                    _ => await scenarios.FhirServerAloneAsync(cancellationToken).ConfigureAwait(false),
                });
            }

            var header = string.Create(CultureInfo.InvariantCulture,
                $"FhirMmn load, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {Environment.ProcessorCount} cores, service and load tool on the same machine; " +
                $"bundle {generator.BundleBytes} bytes (examples/example-definite-ulnar-forearm.json, one new patient each); " +
                $"service concurrency {settings.ServiceConcurrency}; warm-up {settings.Warmup} bundles; run took {clock.Elapsed.TotalSeconds:0} s.");
            Report.Write(Console.Out, results, header, settings.Markdown);
            return 0;
        }
        catch (LoadFailedException e)
        {
            progress.WriteLine($"The load run failed: {e.Message}");
            return 1;
        }
    }

    /// <summary>FhirMmn:Concurrency as the service ships it (src/FhirMmn.Service/appsettings.json).</summary>
    private static int ServiceDefaultConcurrency()
    {
        using var settings = JsonDocument.Parse(File.ReadAllBytes(Repository.PathOf("src", "FhirMmn.Service", "appsettings.json")));
        return settings.RootElement.GetProperty("FhirMmn").GetProperty("Concurrency").GetInt32();
    }

    private static Option<int> Positive(Option<int> option) => AtLeast(1, option);

    private static Option<int> AtLeast(int minimum, Option<int> option)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < minimum)
            {
                r.AddError($"{option.Name} must be at least {minimum}.");
            }
        });
        return option;
    }
}
