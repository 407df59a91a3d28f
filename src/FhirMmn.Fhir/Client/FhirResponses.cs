using FhirMmn.Fhir.Model;
using Hl7.Fhir.Utility;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Firely = Hl7.Fhir.Model;

namespace FhirMmn.Fhir.Client;

/// <summary>
/// The first handler under Firely's FhirClient: every failed call leaves here as a <see cref="FhirServerException"/>,
/// decided from what the HTTP exchange shows (the exception, the status, Retry-After, the server's OperationOutcome),
/// before Firely turns it into an exception whose message quotes the server's body. Firely's client only ever sees
/// successful answers, and exceptions it passes through unchanged.
/// </summary>
internal sealed class FhirResponses : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new FhirServerException(0, "The FHIR server could not be reached.", inner: e) { OutcomeUnknown = !FailedCalls.NeverSent(e) };
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FhirServerException(0, "The FHIR server did not answer in time.", inner: e) { OutcomeUnknown = true };
        }
        catch (BrokenCircuitException e)
        {
            throw new FhirServerException(0, "The FHIR server is failing; calls are paused (circuit open).", e.RetryAfter, inner: e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new FhirServerException(0, "The FHIR server did not answer in time.", inner: e) { OutcomeUnknown = true };
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            // An error page instead of an OperationOutcome: the status says enough.
            var outcome = body.Length > 0 && FhirJson.TryParse(body, out var resource) ? Outcome(resource as Firely.OperationOutcome) : null;
            var status = (int)response.StatusCode;
            throw new FhirServerException(status, $"The FHIR server answered {status} ({response.StatusCode}).", RetryAfter(response), outcome)
            {
                OutcomeUnknown = !FailedCalls.NotApplied(response.StatusCode),
            };
        }
    }

    /// <summary>The server's issues in the service's own OperationOutcome: severity, code, details, diagnostics, expression.</summary>
    internal static OperationOutcome? Outcome(Firely.OperationOutcome? outcome) => outcome is null ? null : new OperationOutcome
    {
        Issue = outcome.Issue.Select(i => new OperationOutcomeIssue
        {
            Severity = i.Severity?.GetLiteral() ?? "error",
            Code = i.Code?.GetLiteral() ?? "processing",
            Details = i.Details is { } details
                ? new CodeableConcept { Coding = details.Coding.Count == 0 ? null : details.Coding.Select(c => new Coding { System = c.System, Code = c.Code, Display = c.Display }).ToList(), Text = details.Text }
                : null,
            Diagnostics = i.Diagnostics,
            Expression = i.Expression.OfType<string>().ToList() is { Count: > 0 } expression ? expression : null,
        }).ToList(),
    };

    internal static TimeSpan? RetryAfter(HttpResponseMessage response)
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
