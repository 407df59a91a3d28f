using FhirMmn.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Firely = Hl7.Fhir.Model;

namespace FhirMmn.Fhir.Client;

/// <summary>
/// The FHIR REST calls FhirMmn makes, on Firely's <see cref="FhirClient"/>: a transaction, a search for one resource by
/// identifier, the capability statement. Resilience (timeouts per attempt, retries, circuit breaker) and
/// authentication are handlers of the <see cref="HttpMessageHandler"/> chain it is given; what a failure means
/// (transient, conflict, outcome unknown) is decided by <see cref="FhirResponses"/>, the first handler under Firely's
/// client, so that no message of Firely's (they quote the server's body) reaches a caller, a log or an OperationOutcome.
/// One instance serves one caller at a time (a message's scope): Firely's client keeps its last answer.
/// </summary>
public sealed class FhirServerClient : IDisposable
{
    /// <summary>One engine for every client: FhirMmn's one Firely serializer, and the recoverable reader for answers.</summary>
    private static readonly PocoSerializationEngine Engine = new(
        FhirJson.Deserializer, FhirJson.Serializer, new FhirXmlDeserializer(new DeserializerSettings()), new FhirXmlSerializer());

    private readonly FhirResponses responses;
    private readonly FhirClient client;

    /// <param name="baseUrl">The server's base URL.</param>
    /// <param name="handler">The chain to send through (authentication, resilience, the network); not disposed by this client.</param>
    public FhirServerClient(Uri baseUrl, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        BaseAddress = baseUrl;
        responses = new FhirResponses { InnerHandler = handler };
        client = new FhirClient(baseUrl, new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json,
            VerifyFhirVersion = false,
            // Each attempt is timed by the resilience pipeline; a client-wide timeout would cut its retries short.
            Timeout = Timeout.Infinite,
            SerializationEngine = Engine,
        }, responses);
    }

    public Uri BaseAddress { get; }

    public async Task<Firely.Bundle> TransactionAsync(Firely.Bundle transaction, CancellationToken cancellationToken)
    {
        var response = await CallAsync(c => c.TransactionAsync(transaction, cancellationToken)).ConfigureAwait(false);
        return response ?? throw new FhirServerException(502, "The FHIR server answered a transaction with something other than a Bundle.");
    }

    /// <summary>The one resource that matches a search (<paramref name="query"/> is escaped already), or null; more than one match is an error.</summary>
    public async Task<T?> SearchOneAsync<T>(string type, string query, CancellationToken cancellationToken)
        where T : Firely.Resource
    {
        var bundle = await CallAsync(c => c.GetAsync($"{type}?{query}", cancellationToken)).ConfigureAwait(false) as Firely.Bundle
            ?? throw new FhirServerException(502, "The FHIR server answered a search with something other than a Bundle.");
        var matches = bundle.Entry.Select(e => e.Resource).OfType<T>().ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new FhirServerException(412, $"More than one {type} matches the identifier.") { MultipleMatches = true },
        };
    }

    /// <summary>The id of the server's one Patient with this identifier (<c>Patient?identifier=system|value</c>), or null when it has none.</summary>
    public async Task<string?> FindPatientAsync(string system, string value, CancellationToken cancellationToken)
    {
        var patient = await SearchOneAsync<Firely.Patient>("Patient", Building.SearchQueries.Identifier(system, value), cancellationToken).ConfigureAwait(false);
        return patient?.Id;
    }

    public async Task<bool> IsAvailableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(c => c.GetAsync("metadata", cancellationToken)).ConfigureAwait(false) is Firely.CapabilityStatement;
        }
        catch (FhirServerException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        client.Dispose();
        responses.Dispose();
    }

    /// <summary>
    /// A call through Firely's client. Failed exchanges were turned into <see cref="FhirServerException"/>s below it; what
    /// is left is a successful answer Firely could not read, whose message (it quotes the body) is dropped here.
    /// </summary>
    private async Task<TResult> CallAsync<TResult>(Func<FhirClient, Task<TResult>> call)
    {
        try
        {
            return await call(client).ConfigureAwait(false);
        }
        catch (FhirOperationException e)
        {
            throw new FhirServerException(502, $"The FHIR server answered {(int)e.Status} with something that is not FHIR JSON.");
        }
        catch (Exception e) when (e is DeserializationFailedException or System.Text.Json.JsonException)
        {
            throw new FhirServerException(502, "The FHIR server answered with JSON that could not be read as FHIR.");
        }
    }
}
