using FhirMmn.Domain;
using FhirMmn.Fhir;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Client;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.Feeds;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using MediatR;
using Microsoft.Extensions.Options;

namespace FhirMmn.Service.Features.AssessPatient;

/// <summary>Process one queued bundle: merge its results with the patient's, re-assess, write back.</summary>
public sealed record AssessPatient(QueueMessage Message) : IRequest<AssessmentOutcome>;

/// <summary>How the transport settles the message.</summary>
public abstract record AssessmentOutcome
{
    /// <summary>
    /// Written (or nothing new to write): complete the message, recording the patient's state in the same commit.
    /// <paramref name="PatientLock"/> is held until then, so that the next bundle of the patient sees this one's
    /// results; whoever settles the message releases it.
    /// </summary>
    public sealed record Completed(IReadOnlyList<string> Written, string? Category, StoreWork Record, IDisposable PatientLock) : AssessmentOutcome;

    /// <summary>Malformed, breaks the contract, or refused by the FHIR server: dead-letter with the reason.</summary>
    public sealed record Refused(OperationOutcome Outcome) : AssessmentOutcome;

    /// <summary>A transient failure: reschedule after <paramref name="After"/> (or the backoff), not counted as a delivery.</summary>
    public sealed record Retry(TimeSpan? After, string IssueCode) : AssessmentOutcome;
}

internal sealed class AssessPatientHandler(
    EvidenceStore evidence,
    WriteBackTargets targets,
    FeedRegistry feeds,
    KeyedLock locks,
    ReadCache cache,
    IMessageTransport transport,
    TimeProvider clock,
    IOptions<FhirMmnOptions> options,
    ServiceMetrics metrics,
    ILogger<AssessPatientHandler> logger) : IRequestHandler<AssessPatient, AssessmentOutcome>
{
    private const int ConflictAttempts = 3;

    public async Task<AssessmentOutcome> Handle(AssessPatient request, CancellationToken cancellationToken)
    {
        var message = request.Message;
        if (feeds.Find(message.Feed) is not { } feed)
        {
            return new AssessmentOutcome.Refused(OperationOutcomes.Of(IssueCodes.Processing,
                "The message's feed is no longer configured on this service; configure it again and resubmit the message.", message.CorrelationId));
        }

        FeedBundle bundle;
        if (cache.TryTake(message.Feed, message.Id, out var cached))
        {
            bundle = cached.InSequence(message.Sequence);
        }
        else
        {
            var o = options.Value;
            var body = await transport.ReadBodyAsync(message, cancellationToken).ConfigureAwait(false);
            var read = FeedReader.Read(body, new FeedReaderOptions
            {
                MaxBytes = o.MaxBundleBytes,
                PatientIdentifierSystem = feed.PatientIdentifierSystem,
                CodeMap = feed.CodeMap,
                Sequence = message.Sequence,
            });
            if (!read.Accepted)
            {
                return new AssessmentOutcome.Refused(read.ToOperationOutcome(message.CorrelationId));
            }

            bundle = read.Bundle!;
        }

        var held = await locks.AcquireAsync($"{message.Feed}\n{bundle.Patient.Key}", cancellationToken).ConfigureAwait(false);
        var handedOver = false;
        try
        {
            // Only a message's first attempt may trust what the service recorded of the target (see WriteEpisodeAsync).
            var firstAttempt = message.DeliveryCount == 1 && message.Attempts == 1;
            var (written, category, record) = await AssessAsync(feed, targets.For(feed), message.Sequence, bundle, firstAttempt, cancellationToken).ConfigureAwait(false);
            handedOver = true;
            return new AssessmentOutcome.Completed(written, category, record, held);
        }
        catch (FhirServerException e) when (e.IsTransient || e.IsConflict)
        {
            Log.WriteBackDeferred(logger, e.StatusCode, e.IsConflict ? IssueCodes.Conflict : IssueCodes.Transient);
            if (e.IsTransient)
            {
                metrics.Rescheduled(message.Feed, e.StatusCode);
            }

            return new AssessmentOutcome.Retry(e.RetryAfter, e.StatusCode == 429 ? IssueCodes.Throttled : IssueCodes.Transient);
        }
        catch (FhirServerException e)
        {
            Log.WriteBackRefused(logger, e.StatusCode);
            var issues = new List<FhirIssue>
            {
                FhirIssue.Error(IssueCodes.Processing, $"The FHIR server refused the write-back with HTTP {e.StatusCode}; the message is kept as dead-lettered."),
            };
            issues.AddRange((e.Outcome?.Issue ?? []).Select(i => new FhirIssue(IssueSeverity.Error, i.Code, $"FHIR server: {i.Details?.Text ?? i.Diagnostics ?? i.Code}")));
            return new AssessmentOutcome.Refused(OperationOutcomes.From(issues, message.CorrelationId));
        }
        finally
        {
            if (!handedOver)
            {
                held.Dispose();
            }
        }
    }

    private async Task<(IReadOnlyList<string> Written, string? Category, StoreWork Record)> AssessAsync(
        Feed feed, IWriteBackTarget target, long sequence, FeedBundle bundle, bool firstAttempt, CancellationToken cancellationToken)
    {
        var record = evidence.Load(feed.Name, bundle.Patient.Key);
        var episodes = EpisodePlanner.Plan(record.Episodes, bundle.Observations, feed.EpisodeGap);
        var affected = bundle.Observations.Select(ob => EpisodePlanner.EpisodeOf(episodes, ob).Number).Distinct().Order().ToList();
        var written = new List<string>();
        string? category = null;
        foreach (var number in affected)
        {
            var episode = episodes.Single(e => e.Number == number);
            var observations = record.Observations.Concat(bundle.Observations)
                .Where(ob => EpisodePlanner.EpisodeOf(episodes, ob).Number == number)
                .ToList();
            var (updated, references, writtenCategory) = await WriteEpisodeAsync(feed, target, bundle.Patient, episode, observations, firstAttempt, cancellationToken).ConfigureAwait(false);
            episodes[episodes.IndexOf(episode)] = updated;
            written.AddRange(references);
            category = writtenCategory ?? category;
        }

        return (written, category, EvidenceStore.Save(feed.Name, bundle.Patient, sequence, bundle.Observations, episodes));
    }

    /// <summary>
    /// Writes one episode's report and plan. The target's current versions come from what the service recorded at its
    /// last write when this is the message's first attempt: a stale version is refused (412) and then read afresh, and
    /// a new episode is written by conditional update on its identifiers, so nothing can be duplicated; that saves the
    /// target two searches a write-back. A redelivery or a retry reads the target first, because its own earlier
    /// attempt may have written without the service recording it (then nothing is written again). What was recorded for
    /// another target (FhirServer:BaseUrl set or changed since) is not trusted: that target is read first, and
    /// unchanged evidence is written to it all the same.
    /// </summary>
    private async Task<(Episode Episode, IReadOnlyList<string> Written, string? Category)> WriteEpisodeAsync(
        Feed feed, IWriteBackTarget target, PatientIdentity patient, Episode episode, List<FeedObservation> observations, bool firstAttempt, CancellationToken cancellationToken)
    {
        var assembled = EvidenceAssembler.Assemble(observations);
        var recordedHere = episode.Target == target.Identity;
        if (!recordedHere)
        {
            // Recorded for another target: nothing of it holds here. Recorded before targets were (a store of layout 2):
            // most likely this target, so the plan version we wrote still tells a clinician's change; the digest is
            // checked against what the target holds.
            episode = episode.Target is null ? episode with { Digest = null } : episode.Unwritten();
        }

        if (assembled.Digest == episode.Digest)
        {
            Log.NothingNew(logger, episode.Number);
            return (episode, [], null);
        }

        var assessment = MmnClassifier.Classify(assembled.Evidence);
        var category = assessment.Category.Code();
        var assessmentId = StableIds.Assessment(feed.Name, patient.Key, episode.Number);
        for (var attempt = 1; ; attempt++)
        {
            var state = firstAttempt && recordedHere && attempt == 1
                ? new TargetState(episode.ReportReference, episode.ReportVersion, episode.Digest, episode.PlanReference, episode.PlanVersion)
                : await target.ReadAsync(assessmentId, StableIds.CarePlan(assessmentId, episode.PlanGeneration), cancellationToken).ConfigureAwait(false);
            var recorded = episode with { Digest = assembled.Digest, NewestInput = assembled.Newest?.Effective, Category = category, Target = target.Identity };
            if (state.ReportDigest == assembled.Digest)
            {
                // Written before, but not recorded (the service stopped in between): record it, write nothing.
                Log.AlreadyWritten(logger, episode.Number);
                return (recorded with { ReportReference = state.ReportReference, ReportVersion = state.ReportVersion, PlanReference = state.PlanReference, PlanVersion = state.PlanVersion }, [], category);
            }

            // A plan that is no longer the version we wrote was changed by a clinician: the next generation replaces it.
            var changedByClinician = state.PlanReference is not null && episode.PlanVersion is not null && state.PlanVersion != episode.PlanVersion;
            var generation = changedByClinician ? episode.PlanGeneration + 1 : episode.PlanGeneration;
            var writeBack = WriteBackBuilder.Build(new WriteBackRequest
            {
                Feed = feed.Name,
                Patient = patient,
                Evidence = assembled,
                Assessment = assessment,
                Time = clock.GetUtcNow(),
                Episode = episode.Number,
                CarePlanGeneration = generation,
                ReplacesCarePlan = changedByClinician ? state.PlanReference : null,
                TargetServerBase = target.ServerBase,
                ReportStatus = ReportStatus(feed, episode, category),
                CarePlanStatus = feed.CarePlanStatus,
                CodeMaps = feed.CodeMap.Canonicals,
                ReportIfMatch = state.ReportVersion is { } rv ? $"W/\"{rv}\"" : null,
                CarePlanIfMatch = !changedByClinician && state.PlanVersion is { } pv ? $"W/\"{pv}\"" : null,
            });

            IReadOnlyList<string> written;
            try
            {
                written = await target.WriteAsync(writeBack.Transaction, cancellationToken).ConfigureAwait(false);
            }
            catch (FhirServerException e) when (e.IsConflict && attempt < ConflictAttempts)
            {
                Log.Conflict(logger, episode.Number, attempt);
                continue;
            }
            catch (FhirServerException e) when (e.OutcomeUnknown && attempt < ConflictAttempts)
            {
                // The server may have applied it: the next round reads what it holds before writing again.
                Log.OutcomeUnknown(logger, episode.Number, e.StatusCode);
                continue;
            }

            Log.Written(logger, episode.Number, category, written.Count);
            var report = Versioned(written, "DiagnosticReport");
            var plan = Versioned(written, "CarePlan");
            return (recorded with
            {
                ReportReference = report?.Reference ?? state.ReportReference,
                ReportVersion = report?.Version ?? state.ReportVersion,
                PlanReference = plan?.Reference ?? state.PlanReference,
                PlanVersion = plan?.Version ?? state.PlanVersion,
                PlanGeneration = generation,
            }, written, category);
        }
    }

    /// <summary>preliminary; or, for a feed that opted into final, amended once a final conclusion changes.</summary>
    private static string ReportStatus(Feed feed, Episode episode, string category) => feed.ReportStatus switch
    {
        "final" when episode.Category is not null && episode.Category != category => "amended",
        "final" => "final",
        _ => "preliminary",
    };

    private static (string Reference, string Version)? Versioned(IReadOnlyList<string> written, string type)
    {
        var location = written.FirstOrDefault(w => w.StartsWith(type + "/", StringComparison.Ordinal));
        return References.ParseRestful(location) is { } r ? ($"{r.Type}/{r.Id}", r.Version ?? string.Empty) : null;
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Episode {Episode}: the write-back's outcome is unknown (HTTP {Status}); reading the server before writing again")]
    public static partial void OutcomeUnknown(ILogger logger, int episode, int status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Episode {Episode}: evidence unchanged, nothing to write")]
    public static partial void NothingNew(ILogger logger, int episode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Episode {Episode}: already written by an earlier delivery; recorded")]
    public static partial void AlreadyWritten(ILogger logger, int episode);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Episode {Episode}: written, category {Category}, {ResourceCount} resources")]
    public static partial void Written(ILogger logger, int episode, string category, int resourceCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Episode {Episode}: version conflict on attempt {Attempt}; re-reading")]
    public static partial void Conflict(ILogger logger, int episode, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Write-back deferred: FHIR server status {StatusCode} ({IssueCode})")]
    public static partial void WriteBackDeferred(ILogger logger, int statusCode, string issueCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Write-back refused by the FHIR server with status {StatusCode}; dead-lettering")]
    public static partial void WriteBackRefused(ILogger logger, int statusCode);
}
