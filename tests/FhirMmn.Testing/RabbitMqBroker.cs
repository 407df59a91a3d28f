using System.Diagnostics;

namespace FhirMmn.Testing;

/// <summary>
/// A real RabbitMQ node for the tests. <see cref="Shared"/> is the node .ci/run started (FHIRMMN_TEST_RABBITMQ, its amqp
/// URI), or else one started here for the whole test run. <see cref="StartOwnAsync"/> starts a node of the test's
/// own, which it may stop and start (the fault tests); both through tests/rabbitmq/broker.sh, as CI does.
/// </summary>
public sealed class RabbitMqBroker : IAsyncDisposable
{
    public const string Variable = "FHIRMMN_TEST_RABBITMQ";

    private static readonly Lazy<Task<RabbitMqBroker>> SharedBroker = new(() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } uri
            ? Task.FromResult(new RabbitMqBroker(new Uri(uri), null))
            : StartSharedAsync());

    private readonly string? folder;

    private RabbitMqBroker(Uri uri, string? folder)
    {
        Uri = uri;
        this.folder = folder;
    }

    /// <summary>The amqp URI with the user name and password (guest, loopback only).</summary>
    public Uri Uri { get; }

    /// <summary>The URI without its credentials, as Messaging:RabbitMQ:Uri takes it.</summary>
    public Uri Address => new UriBuilder(Uri) { UserName = string.Empty, Password = string.Empty }.Uri;

    public static Task<RabbitMqBroker> Shared() => SharedBroker.Value;

    public static async Task<RabbitMqBroker> StartOwnAsync()
    {
        var folder = Directory.CreateTempSubdirectory("fhirmmn-rabbitmq-").FullName;
        var output = await Script("start", folder).ConfigureAwait(false);
        return new RabbitMqBroker(new Uri(output.Trim().Split('\n')[^1]), folder);
    }

    /// <summary>The node of the whole test run, stopped when the test process ends.</summary>
    private static async Task<RabbitMqBroker> StartSharedAsync()
    {
        var broker = await StartOwnAsync().ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return broker;
    }

    /// <summary>Stops the broker application (every connection drops; the node and its data stay).</summary>
    public Task StopAppAsync() => Script("ctl", OwnFolder, "stop_app");

    /// <summary>Starts it again: the durable queues come back with their messages.</summary>
    public Task StartAppAsync() => Script("ctl", OwnFolder, "start_app");

    /// <summary>Closes every client connection, as a dropped network would.</summary>
    public Task CloseConnectionsAsync() => Script("ctl", OwnFolder, "close_all_connections", "test: connection killed");

    /// <summary>The number of messages ready in a queue.</summary>
    public async Task<int> CountAsync(string queue)
    {
        var lines = await Script("ctl", OwnFolder, "list_queues", "name", "messages").ConfigureAwait(false);
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('\t', ' ');
            if (parts.Length >= 2 && parts[0] == queue)
            {
                return int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return;
        }

        await Script("stop", folder).ConfigureAwait(false);
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file the stopping node still held; the temp folder is cleaned by the OS.
        }
        catch (UnauthorizedAccessException)
        {
            // The cookie is read-only for its owner; the temp folder is cleaned by the OS.
        }
    }

    private string OwnFolder => folder ?? throw new InvalidOperationException("Only a broker started by the test can be controlled.");

    private static async Task<string> Script(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Repository.PathOf("tests", "rabbitmq", "broker.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"broker.sh {arguments[0]} failed ({process.ExitCode}): {await error.ConfigureAwait(false)}");
        }

        return await output.ConfigureAwait(false);
    }
}
