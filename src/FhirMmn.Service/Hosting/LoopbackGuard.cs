using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Hosting;

/// <summary>
/// Without tokens (Security:RequireToken false, the local development profile) the service serves this machine
/// only. Whatever setting chose the addresses (Urls, ASPNETCORE_URLS, --urls, Kestrel:Endpoints, HTTP_PORTS,
/// HTTPS_PORTS), the addresses the server actually bound are checked as soon as it has bound them, before the
/// host reports it listening: one that is not 127.0.0.1, [::1] or localhost stops the start. Between the bind
/// and that check, and after it, every connection whose local or remote end is not loopback is closed unread,
/// so no request is served without a token from elsewhere even for a moment.
/// </summary>
/// <remarks>
/// The rule is the one this profile always had: 127.0.0.1, ::1 and the name localhost (which Kestrel binds to
/// those two). Other 127.x addresses are loopback too, but nothing needs them here and they are where a
/// configuration slips past a check that reads settings instead of sockets, so they are refused as well.
/// </remarks>
internal static partial class LoopbackGuard
{
    /// <summary>Installs the check on the server's start and the gate on every endpoint Kestrel binds.</summary>
    public static void AddLoopbackGuard(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.UseLoopbackGate());
        var services = builder.Services;
        var server = services.LastOrDefault(d => d.ServiceType == typeof(IServer))
            ?? throw new InvalidOperationException("No HTTP server is registered to guard.");
        services.Remove(server);
        services.AddSingleton(provider => new BoundServer(server switch
        {
            { ImplementationInstance: IServer instance } => instance,
            { ImplementationFactory: { } factory } => (IServer)factory(provider),
            _ => (IServer)ActivatorUtilities.CreateInstance(provider, server.ImplementationType!),
        }));
        services.AddSingleton<IServer>(provider => new GuardedServer(
            provider.GetRequiredService<BoundServer>().Server, provider.GetRequiredService<IOptions<SecurityOptions>>()));
    }

    /// <summary>
    /// Closes, unread, every connection that <see cref="Admits"/> refuses while Security:RequireToken is false: on
    /// every endpoint, whichever setting made it (Kestrel applies endpoint defaults to all of them).
    /// </summary>
    public static void UseLoopbackGate(this KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => Gate(next, listen.ApplicationServices)));
    }

    /// <summary>Whether an address the server reports bound (http://127.0.0.1:5080, http://[::]:80, http://unix:/...) is this machine only.</summary>
    public static bool IsLoopback(string boundAddress)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(boundAddress);
        }
        catch (FormatException)
        {
            return false;
        }

        if (address.IsNamedPipe || address.IsUnixPipe)
        {
            return false;
        }

        var host = address.Host;
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IsLoopback(ip));
    }

    /// <summary>127.0.0.1 or ::1, also as an IPv4-mapped IPv6 address (a dual-mode socket's view of 127.0.0.1).</summary>
    public static bool IsLoopback(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return ip.Equals(IPAddress.Loopback) || ip.Equals(IPAddress.IPv6Loopback);
    }

    /// <summary>Whether a connection may be served without a token: both of its ends on this machine.</summary>
    public static bool Admits(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.LocalEndPoint is IPEndPoint local && IsLoopback(local.Address)
            && connection.RemoteEndPoint is IPEndPoint remote && IPAddress.IsLoopback(remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address);
    }

    private static ConnectionDelegate Gate(ConnectionDelegate next, IServiceProvider services)
    {
        var security = services.GetRequiredService<IOptions<SecurityOptions>>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LoopbackGuard).FullName!);
        return connection =>
        {
            if (security.Value.RequireToken || Admits(connection))
            {
                return next(connection);
            }

            LogRefused(logger);
            connection.Abort(new ConnectionAbortedException("Without tokens only loopback connections are served."));
            return Task.CompletedTask;
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed a connection from beyond loopback unread: Security:RequireToken is false, so only this machine is served")]
    private static partial void LogRefused(ILogger logger);

    /// <summary>The server the host would have used, held apart so that <see cref="GuardedServer"/> can stand in front of it.</summary>
    private sealed class BoundServer(IServer server) : IDisposable
    {
        public IServer Server { get; } = server;

        public void Dispose() => Server.Dispose();
    }

    private sealed class GuardedServer(IServer inner, IOptions<SecurityOptions> security) : IServer
    {
        public IFeatureCollection Features => inner.Features;

        public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull
        {
            await inner.StartAsync(application, cancellationToken).ConfigureAwait(false);
            if (security.Value.RequireToken)
            {
                return;
            }

            var addresses = inner.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (addresses.FirstOrDefault(a => !IsLoopback(a)) is { } outside)
            {
                await inner.StopAsync(CancellationToken.None).ConfigureAwait(false);
                throw new StartupException(
                    $"Security:RequireToken is false (the development profile), so the service must listen on 127.0.0.1, [::1] or localhost only, but it bound {outside}: "
                    + "set Urls (or ASPNETCORE_URLS, Kestrel:Endpoints, HTTP_PORTS) to http://127.0.0.1:<port>, or set Security:RequireToken to true");
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

        // The inner server belongs to BoundServer, which the container disposes.
        public void Dispose()
        {
        }
    }
}
