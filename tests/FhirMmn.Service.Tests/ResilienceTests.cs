using System.Net;
using FhirMmn.Fhir.Client;
using FhirMmn.Fhir.Model;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Hosting;

namespace FhirMmn.Service.Tests;

/// <summary>
/// Which failed calls the client sends again by itself: a read always, a transaction only when the failure shows it
/// was not applied. Otherwise the caller is told the outcome is unknown, so it reads before writing again.
/// </summary>
public sealed class ResilienceTests
{
    public enum Failure
    {
        LostAfterSending,
        Refused,
        ServerError,
        Unavailable,
        BadGateway,
        GatewayTimeout,
    }

    [Theory]
    [InlineData(Failure.LostAfterSending, 1, true)]
    [InlineData(Failure.BadGateway, 1, true)]
    [InlineData(Failure.GatewayTimeout, 1, true)]
    [InlineData(Failure.Refused, 3, false)]
    [InlineData(Failure.ServerError, 3, false)]
    [InlineData(Failure.Unavailable, 3, false)]
    public async Task A_transaction_is_sent_again_only_when_the_failure_shows_it_was_not_applied(Failure failure, int expectedCalls, bool outcomeUnknown)
    {
        var server = new FailingServer(failure);
        var client = Client(server);

        var error = await Assert.ThrowsAsync<FhirServerException>(() => client.TransactionAsync(new Bundle { Type = "transaction" }, CancellationToken.None));

        Assert.Equal(expectedCalls, server.Calls);
        Assert.Equal(outcomeUnknown, error.OutcomeUnknown);
        Assert.True(error.IsTransient);
    }

    [Theory]
    [InlineData(Failure.LostAfterSending)]
    [InlineData(Failure.BadGateway)]
    [InlineData(Failure.GatewayTimeout)]
    [InlineData(Failure.ServerError)]
    public async Task A_read_is_sent_again_whatever_the_failure(Failure failure)
    {
        var server = new FailingServer(failure);
        var client = Client(server);

        await Assert.ThrowsAsync<FhirServerException>(() => client.SearchOneAsync<DiagnosticReport>("DiagnosticReport", "identifier=x", CancellationToken.None));

        Assert.Equal(3, server.Calls);
    }

    private static FhirClient Client(FailingServer server)
    {
        var options = new FhirServerOptions { Attempts = 3, Timeout = TimeSpan.FromSeconds(10) };
        var handler = new ResilienceHandler(ResilienceHandler.Pipeline(options, TimeProvider.System)) { InnerHandler = server };
        return new FhirClient(new HttpClient(handler) { BaseAddress = new Uri("http://fhir.invalid/") });
    }

    private sealed class FailingServer(Failure failure) : HttpMessageHandler
    {
        private int calls;

        public int Calls => calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            return failure switch
            {
                Failure.LostAfterSending => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The connection closed before the answer."),
                Failure.Refused => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused."),
                Failure.ServerError => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)),
                Failure.Unavailable => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)),
                Failure.BadGateway => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway)),
                Failure.GatewayTimeout => Task.FromResult(new HttpResponseMessage(HttpStatusCode.GatewayTimeout)),
                _ => throw new InvalidOperationException($"No such failure: {failure}."),
            };
        }
    }
}
