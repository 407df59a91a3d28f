using System.Net.Http.Headers;
using FhirMmn.Fhir.Model;

namespace FhirMmn.Fhir.Client;

/// <summary>
/// A failed call to the FHIR server. <see cref="StatusCode"/> 0 means no answer (connection refused,
/// timeout, circuit open). The message never holds response content, which may carry patient data.
/// </summary>
public sealed class FhirServerException : Exception
{
    public FhirServerException()
    {
    }

    public FhirServerException(string message)
        : base(message)
    {
    }

    public FhirServerException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FhirServerException(int statusCode, string message, TimeSpan? retryAfter = null, OperationOutcome? outcome = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
        Outcome = outcome;
    }

    /// <summary>
    /// The request may have been applied although no success came back (a connection lost after sending, a timeout,
    /// a gateway's 502 or 504): before writing again, read what the server holds.
    /// </summary>
    public bool OutcomeUnknown { get; init; }

    public int StatusCode { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The server's OperationOutcome, when it gave one.</summary>
    public OperationOutcome? Outcome { get; }

    /// <summary>Worth trying again later: no answer, 408, 429, 5xx, or an authorisation the operator can fix.</summary>
    public bool IsTransient => StatusCode is 0 or 401 or 403 or 408 or 429 or >= 500;

    /// <summary>A version conflict (ifMatch): re-read, re-merge, retry.</summary>
    public bool IsConflict => StatusCode is 409 or 412;
}

/// <summary>
/// What a failed call says about whether the server applied it. A FHIR transaction is all or nothing, so a server's
/// own error status means nothing was written; a lost connection or a gateway's error does not say.
/// </summary>
public static class FailedCalls
{
    /// <summary>The request never left: no connection, no name, no TLS.</summary>
    public static bool NeverSent(HttpRequestException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;
    }

    /// <summary>
    /// An answer that says the request was not applied: every 4xx, and 500, 501 and 503 from the server itself.
    /// 502 and 504 come from a gateway that may have lost the server's answer.
    /// </summary>
    public static bool NotApplied(System.Net.HttpStatusCode status) => (int)status is < 500 or 500 or 501 or 503;
}

/// <summary>
/// The FHIR REST calls FhirMmn makes: a transaction, a search for one resource by identifier, the
/// capability statement. Resilience (retries, circuit breaker) and authentication are handlers of the
/// <see cref="HttpClient"/> it is given, whose BaseAddress is the server's base URL.
/// </summary>
public sealed class FhirClient(HttpClient http)
{
    private static readonly MediaTypeWithQualityHeaderValue FhirJsonType = new("application/fhir+json");

    public Uri BaseAddress => http.BaseAddress ?? throw new InvalidOperationException("The FHIR client has no base address.");

    public async Task<Bundle> TransactionAsync(Bundle transaction, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, string.Empty)
        {
            Content = new ByteArrayContent(FhirJson.SerializeToUtf8Bytes(transaction)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        var resource = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return resource as Bundle ?? throw new FhirServerException(502, "The FHIR server answered a transaction with something other than a Bundle.");
    }

    /// <summary>The one resource that matches a search, or null; more than one match is an error.</summary>
    public async Task<T?> SearchOneAsync<T>(string type, string query, CancellationToken cancellationToken)
        where T : Resource
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{type}?{query}");
        var bundle = await SendAsync(request, cancellationToken).ConfigureAwait(false) as Bundle
            ?? throw new FhirServerException(502, "The FHIR server answered a search with something other than a Bundle.");
        var matches = (bundle.Entry ?? []).Select(e => e.Resource).OfType<T>().ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new FhirServerException(412, $"More than one {type} matches the identifier."),
        };
    }

    public async Task<bool> IsAvailableAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metadata");
        try
        {
            return await SendAsync(request, cancellationToken).ConfigureAwait(false) is OtherResource { ResourceType: "CapabilityStatement" };
        }
        catch (FhirServerException)
        {
            return false;
        }
    }

    private async Task<Resource?> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Accept.Add(FhirJsonType);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new FhirServerException(0, "The FHIR server could not be reached.", inner: e) { OutcomeUnknown = !FailedCalls.NeverSent(e) };
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FhirServerException(0, "The FHIR server did not answer in time.", inner: e) { OutcomeUnknown = true };
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException e)
        {
            throw new FhirServerException(0, "The FHIR server is failing; calls are paused (circuit open).", e.RetryAfter, inner: e);
        }
        catch (Polly.Timeout.TimeoutRejectedException e)
        {
            throw new FhirServerException(0, "The FHIR server did not answer in time.", inner: e) { OutcomeUnknown = true };
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            Resource? resource = null;
            if (body.Length > 0)
            {
                try
                {
                    resource = FhirJson.Parse(body);
                }
                catch (System.Text.Json.JsonException) when (!response.IsSuccessStatusCode)
                {
                    // An error page instead of an OperationOutcome: the status says enough.
                }
            }

            if (response.IsSuccessStatusCode)
            {
                return resource;
            }

            var status = (int)response.StatusCode;
            throw new FhirServerException(status, $"The FHIR server answered {status} ({response.StatusCode}).",
                RetryAfter(response), resource as OperationOutcome)
            {
                OutcomeUnknown = !FailedCalls.NotApplied(response.StatusCode),
            };
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
