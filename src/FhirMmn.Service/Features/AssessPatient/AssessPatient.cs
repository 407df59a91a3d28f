using FhirMmn.Domain;
using FhirMmn.Fhir;
using FhirMmn.Fhir.Building;
using FhirMmn.Fhir.Client;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Service.FhirServer;
using FhirMmn.Service.Hosting;
using FhirMmn.Service.Messaging;
using FhirMmn.Service.Storage;
using FhirMmn.Service.Feeds;
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

        var target = targets.For(feed);
        FeedBundle? bundle = null;
        string? mergeInto = null;
        if (cache.TryTake(message.Feed, message.Id, out var cached))
        {
            bundle = cached.InSequence(message.Sequence);
        }
        else
        {
            var o = options.Value;
            var body = await transport.ReadBodyAsync(message, cancellationToken).ConfigureAwait(false);
            mergeInto = MergeRequest.Patient(body);
            if (mergeInto is null)
            {
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
        }

        IDisposable? held = null;
        var handedOver = false;
        try
        {
            PatientIdentity identity;
            IReadOnlyList<string> aliases;
            if (bundle is not null)
            {
                identity = bundle.Patient;
                aliases = await AliasesAsync(message.Feed, target, bundle.Patient, cancellationToken).ConfigureAwait(false);
            }
            else if (evidence.Identity(message.Feed, mergeInto!) is { } stored)
            {
                identity = stored;
                aliases = [mergeInto!, .. evidence.AliasesOf(message.Feed, mergeInto!)];
            }
            else
            {
                // A merge message for a record that is no longer kept (merged again since): nothing to reconcile here.
                held = await locks.AcquireAllAsync([], cancellationToken).ConfigureAwait(false);
                handedOver = true;
                return new AssessmentOutcome.Completed([], null, (_, _) => { }, held);
            }

            (held, var records) = await LockAsync(message.Feed, aliases, cancellationToken).ConfigureAwait(false);

            // Only a message's first attempt may trust what the service recorded of the target (see WriteEpisodeAsync).
            var firstAttempt = message.DeliveryCount == 1 && message.Attempts == 1;
            var (written, category, record) = await AssessAsync(
                feed, target, message.Sequence, identity, aliases, records, bundle?.Observations ?? [], firstAttempt, cancellationToken).ConfigureAwait(false);
            handedOver = true;
            return new AssessmentOutcome.Completed(written, category, record, held);
        }
        catch (FhirServerException e) when (e.MultipleMatches)
        {
            Log.WriteBackRefused(logger, e.StatusCode);
            return new AssessmentOutcome.Refused(OperationOutcomes.From(
                [FhirIssue.Error(IssueCodes.MultipleMatches,
                    "A condition of the write-back (a patient's or a result's identifier, or the assessment's) matches more than one resource on the FHIR server; the message is kept as dead-lettered. Once the duplicates on the server are resolved, resubmit it.")],
                message.CorrelationId));
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
            return new AssessmentOutcome.Refused(OperationOutcomes.From(RefusalIssues(e), message.CorrelationId));
        }
        finally
        {
            if (!handedOver)
            {
                held?.Dispose();
            }
        }
    }

    /// <summary>
    /// Why the server refused, in the service's own words: its issues' codes are kept, their text is not (a server's
    /// diagnostics may quote identifiers or other values of the patient).
    /// </summary>
    private static List<FhirIssue> RefusalIssues(FhirServerException e)
    {
        var issues = new List<FhirIssue>
        {
            FhirIssue.Error(IssueCodes.Processing, $"The FHIR server refused the write-back with HTTP {e.StatusCode}; the message is kept as dead-lettered."),
        };
        foreach (var code in (e.Outcome?.Issue ?? []).Select(i => i.Code).Distinct(StringComparer.Ordinal))
        {
            issues.Add(new FhirIssue(IssueSeverity.Error, code, code == IssueCodes.NotFound
                ? "The FHIR server reported a resource the write-back refers to as not found (issue code not-found): for instance a patient known only by identifier whom the server does not know yet."
                : $"The FHIR server reported an issue of type {code}; its own wording is not kept here (it may quote patient data)."));
        }

        return issues;
    }

    /// <summary>
    /// The bundle's names for its patient, and, with a FHIR server as target, the server's Patient for each identifier
    /// not seen before (<c>Patient?identifier=</c>), as <c>Patient/{id}</c>: a name the server gives links records too.
    /// </summary>
    private async Task<IReadOnlyList<string>> AliasesAsync(string feed, IWriteBackTarget target, PatientIdentity patient, CancellationToken cancellationToken)
    {
        var aliases = patient.Aliases.Count > 0 ? patient.Aliases.ToList() : [patient.Key];
        if (target.ServerBase is null)
        {
            return aliases;
        }

        foreach (var alias in aliases.ToList())
        {
            if (PatientAliases.IdentifierOf(alias) is { } identifier && evidence.Resolve(feed, [alias]).Count == 0
                && await target.FindPatientAsync(identifier.System, identifier.Value, cancellationToken).ConfigureAwait(false) is { } id)
            {
                aliases.Add(PatientAliases.OfResource(id));
            }
        }

        return aliases.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Locks every name of the patient and every record they lead to, all at once (in a stable order: no deadlock), then
    /// looks the records up again under the locks; when that finds a record not locked yet (another message linked it
    /// meanwhile), it starts again with that one too.
    /// </summary>
    private async Task<(IDisposable Held, IReadOnlyList<string> Records)> LockAsync(string feed, IReadOnlyList<string> aliases, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(aliases, StringComparer.Ordinal);
        while (true)
        {
            var held = await locks.AcquireAllAsync(keys.Select(k => $"{feed}\n{k}"), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> records;
            try
            {
                records = evidence.Resolve(feed, aliases);
            }
            catch
            {
                held.Dispose();
                throw;
            }

            if (records.All(keys.Contains))
            {
                return (held, records);
            }

            held.Dispose();
            keys.UnionWith(records);
        }
    }

    /// <summary>
    /// Assesses the patient with everything known under any of their names. The oldest record the names lead to is kept;
    /// the others (and records an upgrade linked to it) are merged into it: their results join its evidence, each episode
    /// of theirs joins the kept record's episode of its time, the kept reports are brought up to date, and the reports
    /// and plans written for the others are withdrawn.
    /// </summary>
    private async Task<(IReadOnlyList<string> Written, string? Category, StoreWork Record)> AssessAsync(
        Feed settings, IWriteBackTarget target, long sequence, PatientIdentity identity, IReadOnlyList<string> aliases, IReadOnlyList<string> records,
        IReadOnlyList<FeedObservation> incoming, bool firstAttempt, CancellationToken cancellationToken)
    {
        var feed = settings.Name;
        var kept = records.Count > 0 ? records[0] : identity.Key;
        var absorbed = records.Skip(1).Concat(records.SelectMany(r => evidence.Pending(feed, r)))
            .Where(r => r != kept).Distinct(StringComparer.Ordinal).ToList();
        var record = evidence.Load(feed, kept);
        var others = absorbed.Select(a => (Key: a, Record: evidence.Load(feed, a))).ToList();
        var patient = Combined(identity with { Key = kept }, absorbed.Prepend(kept).Select(r => evidence.Identity(feed, r)), aliases);

        var arriving = incoming.Concat(others.SelectMany(o => o.Record.Observations)).ToList();
        var episodes = EpisodePlanner.Plan(record.Episodes, arriving, settings.EpisodeGap);
        var affected = arriving.Select(ob => EpisodePlanner.EpisodeOf(episodes, ob).Number).Distinct().Order().ToList();
        var written = new List<string>();
        string? category = null;
        foreach (var number in affected)
        {
            var episode = episodes.Single(e => e.Number == number);
            var observations = record.Observations.Concat(arriving)
                .Where(ob => EpisodePlanner.EpisodeOf(episodes, ob).Number == number)
                .ToList();
            var (updated, references, writtenCategory) = await WriteEpisodeAsync(settings, target, patient, episode, observations, firstAttempt, cancellationToken).ConfigureAwait(false);
            episodes[episodes.IndexOf(episode)] = updated;
            written.AddRange(references);
            category = writtenCategory ?? category;
        }

        foreach (var (key, other) in others)
        {
            foreach (var episode in other.Episodes)
            {
                var keptEpisode = episodes.Last(e => e.StartsAfter is null || (episode.NewestInput is { } newest && newest > e.StartsAfter));
                written.AddRange(await WithdrawAsync(settings, target, patient with { Key = key }, other, episode, StableIds.Assessment(feed, kept, keptEpisode.Number), cancellationToken).ConfigureAwait(false));
            }
        }

        if (others.Count > 0)
        {
            var reconciled = others.Sum(o => o.Record.Episodes.Count);
            Log.Merged(logger, others.Count, reconciled);
        }

        var allAliases = aliases.Concat(others.SelectMany(o => evidence.AliasesOf(feed, o.Key))).Append(kept).Distinct(StringComparer.Ordinal).ToList();
        return (written, category, EvidenceStore.Save(feed, patient with { Aliases = allAliases }, sequence, incoming, episodes, absorbed, allAliases));
    }

    /// <summary>The bundle's identity of the patient, with a resource id or identifier it lacks taken from what was stored for the linked records.</summary>
    private static PatientIdentity Combined(PatientIdentity patient, IEnumerable<PatientIdentity?> stored, IReadOnlyList<string> aliases)
    {
        foreach (var known in stored.OfType<PatientIdentity>())
        {
            if (patient.ResourceId is null && known.ResourceId is not null)
            {
                patient = patient with { ResourceId = known.ResourceId, ServerBase = known.ServerBase };
            }

            if (patient.Identifier is null && known.Identifier is not null)
            {
                patient = patient with { Identifier = known.Identifier };
            }
        }

        return patient with { Aliases = aliases };
    }

    /// <summary>
    /// Withdraws the report and plan written for an episode of a record merged into another: rebuilt from that record's own
    /// evidence, marked entered-in-error with a Provenance saying why (Building/Withdrawal). Nothing when they are not on
    /// this target, or already withdrawn (a redelivery). A plan a clinician changed is theirs and stays.
    /// </summary>
    private async Task<IReadOnlyList<string>> WithdrawAsync(
        Feed settings, IWriteBackTarget target, PatientIdentity patient, PatientRecord other, Episode episode, string keptAssessment, CancellationToken cancellationToken)
    {
        var feed = settings.Name;
        if (episode.Target is not null && episode.Target != target.Identity)
        {
            return [];
        }

        var assessmentId = StableIds.Assessment(feed, patient.Key, episode.Number);
        var state = await target.ReadAsync(assessmentId, StableIds.CarePlan(assessmentId, episode.PlanGeneration), cancellationToken).ConfigureAwait(false);
        if (state.ReportReference is null || state.ReportStatus == "entered-in-error")
        {
            return [];
        }

        var assembled = EvidenceAssembler.Assemble(other.Observations.Where(o => EpisodePlanner.EpisodeOf(other.Episodes, o).Number == episode.Number).ToList());
        var withdrawn = WriteBackBuilder.Build(new WriteBackRequest
        {
            Feed = feed,
            Patient = patient,
            Evidence = assembled,
            Assessment = MmnClassifier.Classify(assembled.Evidence),
            Time = clock.GetUtcNow(),
            Episode = episode.Number,
            CarePlanGeneration = episode.PlanGeneration,
            TargetServerBase = target.ServerBase,
            CarePlanStatus = settings.CarePlanStatus,
        });
        var changedByClinician = state.PlanReference is not null && episode.PlanVersion is not null && state.PlanVersion != episode.PlanVersion;
        var transaction = Withdrawal.Build(new WithdrawalRequest
        {
            Withdrawn = withdrawn,
            KeptAssessment = keptAssessment,
            Time = clock.GetUtcNow(),
            ReportIfMatch = state.ReportVersion is { } rv ? $"W/\"{rv}\"" : null,
            WithdrawCarePlan = state.PlanReference is not null && !changedByClinician,
            CarePlanIfMatch = state.PlanVersion is { } pv ? $"W/\"{pv}\"" : null,
        });
        var written = await target.WriteAsync(transaction, cancellationToken).ConfigureAwait(false);
        Log.Withdrawn(logger, episode.Number, written.Count);
        return written;
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
        Feed settings, IWriteBackTarget target, PatientIdentity patient, Episode episode, List<FeedObservation> observations, bool firstAttempt, CancellationToken cancellationToken)
    {
        var feed = settings.Name;
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
        var assessmentId = StableIds.Assessment(feed, patient.Key, episode.Number);
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
                Feed = feed,
                Patient = patient,
                Evidence = assembled,
                Assessment = assessment,
                Time = clock.GetUtcNow(),
                Episode = episode.Number,
                CarePlanGeneration = generation,
                ReplacesCarePlan = changedByClinician ? state.PlanReference : null,
                TargetServerBase = target.ServerBase,
                ReportStatus = ReportStatus(settings, episode, category),
                CarePlanStatus = settings.CarePlanStatus,
                CodeMaps = settings.CodeMap.Canonicals,
                ReportIfMatch = state.ReportVersion is { } rv ? $"W/\"{rv}\"" : null,
                CarePlanIfMatch = !changedByClinician && state.PlanVersion is { } pv ? $"W/\"{pv}\"" : null,
            });

            IReadOnlyList<string> written;
            try
            {
                written = await target.WriteAsync(writeBack.Transaction, cancellationToken).ConfigureAwait(false);
            }
            catch (FhirServerException e) when (e.StatusCode == 412 && writeBack.Transaction.Entry.All(entry => entry.Request?.IfMatch is null))
            {
                // Without ifMatch a 412 is not a version conflict: a condition matched more than one resource. No retry mends that.
                throw new FhirServerException(412, "A condition of the write-back matched more than one resource on the FHIR server.", inner: e) { MultipleMatches = true };
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Records} patient records merged into one; {Episodes} of their episodes reconciled")]
    public static partial void Merged(ILogger logger, int records, int episodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Episode {Episode} of a merged record: report withdrawn (entered-in-error), {ResourceCount} resources written")]
    public static partial void Withdrawn(ILogger logger, int episode, int resourceCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Write-back deferred: FHIR server status {StatusCode} ({IssueCode})")]
    public static partial void WriteBackDeferred(ILogger logger, int statusCode, string issueCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Write-back refused by the FHIR server with status {StatusCode}; dead-lettering")]
    public static partial void WriteBackRefused(ILogger logger, int statusCode);
}
