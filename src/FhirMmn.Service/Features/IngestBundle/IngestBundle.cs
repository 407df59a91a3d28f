using FhirMmn.Fhir.Extraction;
using FhirMmn.Service.Feeds;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using MediatR;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Features.IngestBundle;

/// <summary>A bundle pushed over HTTP: check it now, so that a refusal is answered at once; store it durably if it can be assessed.</summary>
public sealed record IngestBundle(byte[] Body, string Feed, string CorrelationId) : IRequest<IngestOutcome>;

public abstract record IngestOutcome
{
    /// <summary>Stored durably: 202 with where to follow it.</summary>
    public sealed record Accepted(string MessageId, FeedReadResult Read) : IngestOutcome;

    /// <summary>Refused: 400, 413 or 422 with the OperationOutcome.</summary>
    public sealed record Refused(FeedReadResult Read) : IngestOutcome;
}

internal sealed class IngestBundleValidator(FeedRegistry feeds) : IRequestValidator<IngestBundle>
{
    public IEnumerable<string> Validate(IngestBundle request)
    {
        if (request.Body.Length == 0)
        {
            yield return "The request has no body: send a FHIR Bundle.";
        }

        if (feeds.Find(request.Feed) is null)
        {
            yield return "The feed is not configured on this service.";
        }
    }
}

internal sealed class IngestBundleHandler(IMessageTransport transport, ReadCache cache, FeedRegistry feeds, IOptions<FhirMmnOptions> options) : IRequestHandler<IngestBundle, IngestOutcome>
{
    /// <summary>
    /// How long the intake waits for the store to confirm a bundle (committed and flushed; milliseconds when the disk is
    /// well). Past it the answer is 503 with Retry-After, so that every intake answers within 5 s whatever the disk
    /// does; a disk that is slow but not dead may still store the bundle afterwards, and sending it again is safe
    /// (the evidence digest makes a repeat write nothing new).
    /// </summary>
    public static readonly TimeSpan StoreDeadline = TimeSpan.FromSeconds(3);

    public async Task<IngestOutcome> Handle(IngestBundle request, CancellationToken cancellationToken)
    {
        // The feed's own reading: its code maps before the contract check, its patient identifier system.
        var feed = feeds.Find(request.Feed)!;
        var read = FeedReader.Read(request.Body, new FeedReaderOptions
        {
            MaxBytes = options.Value.MaxBundleBytes,
            PatientIdentifierSystem = feed.PatientIdentifierSystem,
            CodeMap = feed.CodeMap,
        });
        if (!read.Accepted)
        {
            return new IngestOutcome.Refused(read);
        }

        // Kept before it is enqueued, so that the consumer finds it however quickly it takes the message.
        var id = transport.MessageIdFor(feed.Name, request.Body);
        cache.Put(feed.Name, id, read.Bundle!, request.Body.Length);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StoreDeadline);
        try
        {
            var message = new OutgoingMessage(id, request.Feed, request.Body, request.CorrelationId) { PatientKey = read.Bundle!.Patient.Key };
            await transport.EnqueueAsync(message, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            cache.Forget(feed.Name, id);
            throw transport.Name == SqliteTransport.TransportName
                ? new StoreUnavailableException("The store did not confirm the bundle in time.")
                : new TransportUnavailableException("The broker did not confirm the bundle in time.");
        }
        catch
        {
            cache.Forget(feed.Name, id);
            throw;
        }

        return new IngestOutcome.Accepted(id, read);
    }
}
