using System.Text.Json;
using FhirMmn.Fhir.Model;
using FhirMmn.Fhir.Outcomes;
using FhirMmn.Fhir.R4;

namespace FhirMmn.Fhir.Extraction;

public sealed record FeedReaderOptions
{
    public const long DefaultMaxBytes = 8L * 1024 * 1024;

    /// <summary>Bundles above this size are refused before they are parsed.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>When set, the Patient identifier of this system keys the patient; else the first with system and value.</summary>
    public string? PatientIdentifierSystem { get; init; }

    /// <summary>Sequence number of the bundle, so that later bundles win between versions of a result.</summary>
    public long Sequence { get; init; }

    /// <summary>The feed's code maps, applied after the structure checks and before the contract check.</summary>
    public CodeMaps.CodeMap? CodeMap { get; init; }
}

/// <summary>Why a bundle was refused; each maps to one HTTP status (docs/architecture.md, "Interfaces").</summary>
public enum FeedRefusal
{
    None,

    /// <summary>Not JSON at all (400).</summary>
    NotJson,

    /// <summary>JSON, but not a valid R4 Bundle (400).</summary>
    InvalidBundle,

    /// <summary>A valid Bundle that breaks the feed contract (422).</summary>
    ContractViolation,

    /// <summary>Over the size limit (413).</summary>
    TooLarge,
}

/// <summary>
/// The patient a bundle is about: the merge key and how the write-back refers to them. <see cref="Aliases"/> are every
/// name the bundle gives the patient (<see cref="PatientAliases"/>), the key first.
/// </summary>
public sealed record PatientIdentity(string Key, string? ServerBase, string? ResourceId, Identifier? Identifier)
{
    /// <summary>Never null: an identity stored before aliases were kept reads as none.</summary>
    public IReadOnlyList<string> Aliases { get => field ?? []; init; } = [];
}

/// <summary>What a feed bundle brings: one patient and the contract Observations.</summary>
public sealed record FeedBundle(string BundleType, PatientIdentity Patient, IReadOnlyList<FeedObservation> Observations)
{
    /// <summary>The same bundle read as the <paramref name="sequence"/>-th (as <see cref="FeedReaderOptions.Sequence"/> would have), when it was read as the 0th.</summary>
    public FeedBundle InSequence(long sequence) => this with
    {
        Observations = Observations.Select(o => o with { Arrival = (sequence * FeedReader.EntriesPerSequence) + (o.Arrival % FeedReader.EntriesPerSequence) }).ToList(),
    };
}

public sealed record FeedReadResult(FeedBundle? Bundle, IReadOnlyList<FhirIssue> Issues, FeedRefusal Refusal)
{
    public bool Accepted => Refusal == FeedRefusal.None;

    public OperationOutcome ToOperationOutcome(string? id = null) => OperationOutcomes.From(Issues, id);
}

/// <summary>
/// Reads a feed bundle: size, JSON and its text (UTF-8, Unicode), R4 structure and Bundle invariants, then the feed
/// contract (docs/feed-contract.md).
/// Every problem found is reported, with its location; nothing is guessed.
/// </summary>
public static class FeedReader
{
    /// <summary>Arrival order: bundle sequence times this, plus the entry's index.</summary>
    public const long EntriesPerSequence = 1_000_000;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private static readonly HashSet<string> AcceptedBundleTypes = new(StringComparer.Ordinal)
    {
        "collection", "transaction", "batch", "message", "document", "searchset",
    };

    public static FeedReadResult Read(ReadOnlyMemory<byte> utf8, FeedReaderOptions? options = null)
    {
        options ??= new FeedReaderOptions();
        if (utf8.Length > options.MaxBytes)
        {
            return Refuse(FeedRefusal.TooLarge, FhirIssue.Error(IssueCodes.TooLong,
                $"The bundle is larger than the limit of {options.MaxBytes} bytes."));
        }

        // R4 JSON is UTF-8: a leading byte order mark is ignored, UTF-16 and UTF-32 are refused as such (JsonText).
        utf8 = JsonText.WithoutByteOrderMark(utf8);
        if (JsonText.LooksLikeUtf16OrUtf32(utf8.Span))
        {
            return Refuse(FeedRefusal.NotJson, FhirIssue.Error(IssueCodes.Structure, "The body is not UTF-8 (it looks like UTF-16 or UTF-32); FHIR JSON is UTF-8."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
            return Refuse(FeedRefusal.NotJson, FhirIssue.Error(IssueCodes.Structure, $"The body is not valid JSON{where}."));
        }

        using (document)
        {
            // Decided once, before any string of the body is decoded: invalid UTF-8, unpaired surrogate escapes and
            // control characters are refused here, so nothing later (here or in a consumer reading the stored body) throws.
            var (fault, offset) = JsonText.Check(utf8.Span);
            if (fault != TextFault.None)
            {
                return Refuse(fault == TextFault.NotUtf8 ? FeedRefusal.NotJson : FeedRefusal.InvalidBundle, JsonText.Issue(fault, utf8.Span, offset, "Bundle"));
            }

            var root = document.RootElement;
            var structure = R4StructureValidator.Validate(root, "Bundle");
            if (structure.Count > 0)
            {
                return new FeedReadResult(null, structure, FeedRefusal.InvalidBundle);
            }

            var invariants = BundleInvariants.Check(root, out var fullUrls);
            if (invariants.Count > 0)
            {
                return new FeedReadResult(null, invariants, FeedRefusal.InvalidBundle);
            }

            if (options.CodeMap is { IsEmpty: false } codeMap)
            {
                var (mapped, mapIssues) = codeMap.Apply(root);
                if (mapIssues.Count > 0)
                {
                    return new FeedReadResult(null, mapIssues, FeedRefusal.ContractViolation);
                }

                if (mapped is not null)
                {
                    using var mappedDocument = JsonDocument.Parse(mapped.ToJsonString(), DocumentOptions);
                    return new ContractReader(mappedDocument.RootElement, fullUrls, options).Read();
                }
            }

            return new ContractReader(root, fullUrls, options).Read();
        }
    }

    private static FeedReadResult Refuse(FeedRefusal refusal, FhirIssue issue) => new(null, [issue], refusal);

    /// <summary>The feed contract checks of one structurally valid Bundle.</summary>
    private sealed class ContractReader(JsonElement bundle, string?[] fullUrls, FeedReaderOptions options)
    {
        private readonly List<FhirIssue> issues = [];

        public FeedReadResult Read()
        {
            var type = bundle.GetProperty("type").GetString()!;
            if (!AcceptedBundleTypes.Contains(type))
            {
                issues.Add(FhirIssue.Error(IssueCodes.NotSupported,
                    $"Bundles of this type are not accepted; send a collection, transaction, batch, message, document or searchset.", "Bundle.type"));
                return Done(null);
            }

            var entries = bundle.TryGetProperty("entry", out var e) ? e.EnumerateArray().ToList() : [];
            var patients = new List<(int Index, string? FullUrl, Patient Patient)>();
            var observations = new List<(int Index, string? FullUrl, JsonElement Json, Observation Observation)>();
            for (var i = 0; i < entries.Count; i++)
            {
                if (!entries[i].TryGetProperty("resource", out var resource))
                {
                    continue;
                }

                var fullUrl = fullUrls[i];
                switch (resource.GetProperty("resourceType").GetString())
                {
                    case "Patient":
                        patients.Add((i, fullUrl, ValidatedBinder.Patient(resource)));
                        break;
                    case "Observation":
                        observations.Add((i, fullUrl, resource, ValidatedBinder.Observation(resource)));
                        break;
                }
            }

            var panels = PanelMembership(observations.Select(o => (o.FullUrl, o.Observation)));
            var read = new List<(FeedObservation Observation, Reference? Subject, int Index, string? FullUrl)>();
            foreach (var (index, fullUrl, json, observation) in observations)
            {
                var path = $"Bundle.entry[{index}].resource";
                var mapped = new ObservationReader(path, fullUrl, json, observation, panels, (options.Sequence * EntriesPerSequence) + index, issues).Read();
                if (mapped is not null)
                {
                    read.Add((mapped, observation.Subject, index, fullUrl));
                }
            }

            if (read.Count == 0 && !issues.Any(i => i.IsError))
            {
                issues.Add(FhirIssue.Error(IssueCodes.BusinessRule,
                    "Nothing to assess: the bundle has no Observation of the feed contract (CMAP, SNAP, anti-GM1 IgM or MMN clinical finding).",
                    "Bundle.entry"));
            }

            var patient = read.Count == 0 ? null : IdentifyPatient(patients, read);
            foreach (var duplicate in read.GroupBy(r => r.Observation.Identity.Key).Where(g => g.Count() > 1))
            {
                foreach (var (_, _, index, _) in duplicate.Skip(1))
                {
                    issues.Add(FhirIssue.Error(IssueCodes.Duplicate,
                        "The same result (same fullUrl or identifier) appears twice in the bundle.", $"Bundle.entry[{index}]"));
                }
            }

            DuplicateSites(read.Select(r => (r.Observation, r.Index)));
            return Done(patient is null ? null : new FeedBundle(type, patient, read.Select(r => r.Observation).ToList()));
        }

        private FeedReadResult Done(FeedBundle? feed) => issues.Any(i => i.IsError)
            ? new FeedReadResult(null, issues, FeedRefusal.ContractViolation)
            : new FeedReadResult(feed, issues, FeedRefusal.None);

        /// <summary>Which panel (hasMember) each Observation belongs to, by its resolved fullUrl.</summary>
        private static Dictionary<string, string> PanelMembership(IEnumerable<(string? FullUrl, Observation Observation)> observations)
        {
            var members = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (fullUrl, panel) in observations)
            {
                foreach (var member in panel.HasMember ?? [])
                {
                    if (member.ReferenceValue is { } reference)
                    {
                        members.TryAdd(References.Resolve(reference, fullUrl), fullUrl ?? panel.Id ?? string.Empty);
                    }
                }
            }

            return members;
        }

        private void DuplicateSites(IEnumerable<(FeedObservation Observation, int Index)> read)
        {
            var sites = read
                .Where(r => r.Observation.IsUsable && r.Observation.Reading is CmapReading)
                .GroupBy(r =>
                {
                    var cmap = (CmapReading)r.Observation.Reading!;
                    return (cmap.StudyGroup, cmap.Nerve, cmap.Side, cmap.Site);
                });
            foreach (var group in sites.Where(g => g.Count() > 1))
            {
                foreach (var (_, index) in group.Skip(1))
                {
                    issues.Add(FhirIssue.Error(IssueCodes.Duplicate,
                        "Two CMAP results for the same nerve, side and stimulation site in one study; send one per site, or group repeated studies by partOf or a hasMember panel.",
                        $"Bundle.entry[{index}].resource"));
                }
            }
        }

        private PatientIdentity? IdentifyPatient(
            List<(int Index, string? FullUrl, Patient Patient)> patients,
            List<(FeedObservation Observation, Reference? Subject, int Index, string? FullUrl)> read)
        {
            if (patients.Count > 1)
            {
                issues.Add(FhirIssue.Error(IssueCodes.BusinessRule,
                    "The bundle holds more than one Patient; a bundle is about one patient.", $"Bundle.entry[{patients[1].Index}]"));
                return null;
            }

            var entry = patients.Count == 1 ? patients[0] : default;
            var entryRef = patients.Count == 1
                ? References.ParseRestful(entry.FullUrl) ?? (entry.Patient.Id is { } id ? new RestfulReference(null, "Patient", id, null) : null)
                : null;

            string? subjectKey = null;
            RestfulReference? subjectRef = null;
            Identifier? subjectIdentifier = null;
            foreach (var (_, subject, index, fullUrl) in read)
            {
                var path = $"Bundle.entry[{index}].resource.subject";
                if (subject?.ReferenceValue is null && subject?.Identifier is not { System: not null, Value: not null })
                {
                    issues.Add(FhirIssue.Error(IssueCodes.Required, "The Observation needs a subject: the patient.", path));
                    continue;
                }

                string key;
                if (subject.ReferenceValue is { } reference)
                {
                    var resolved = References.Resolve(reference, fullUrl);
                    var restful = References.ParseRestful(resolved);
                    if (patients.Count == 1 && (resolved == entry.FullUrl || (restful is not null && entryRef is not null && restful.SameResource(entryRef))))
                    {
                        key = "entry";
                    }
                    else if (restful is { Type: "Patient" })
                    {
                        key = restful.Relative;
                        subjectRef ??= restful;
                    }
                    else if (References.IsUrn(resolved))
                    {
                        issues.Add(FhirIssue.Error(IssueCodes.BusinessRule,
                            "The subject is a urn:uuid that no Patient entry of the bundle has as fullUrl.", path + ".reference"));
                        continue;
                    }
                    else
                    {
                        issues.Add(FhirIssue.Error(IssueCodes.BusinessRule, "The subject must reference a Patient.", path + ".reference"));
                        continue;
                    }
                }
                else
                {
                    subjectIdentifier ??= subject.Identifier;
                    key = PatientAliases.OfIdentifier(subject.Identifier!.System!, subject.Identifier.Value!);
                }

                if (subjectKey is null)
                {
                    subjectKey = key;
                }
                else if (subjectKey != key)
                {
                    issues.Add(FhirIssue.Error(IssueCodes.BusinessRule,
                        "The Observations are about more than one patient; send one bundle per patient.", path));
                }
            }

            if (subjectKey is null || issues.Any(i => i.IsError))
            {
                return null;
            }

            if (subjectKey == "entry")
            {
                var identifier = ChooseIdentifier(entry.Patient.Identifier);
                var restful = References.ParseRestful(entry.FullUrl);
                var entryId = restful?.Id ?? (References.IsUrn(entry.FullUrl) ? null : entry.Patient.Id);
                IReadOnlyList<string> EntryAliases(string key) =>
                    PatientAliases.Collect(key, null, null, entryId, entry.Patient.Identifier);
                if (identifier is not null)
                {
                    var key = PatientAliases.OfIdentifier(identifier.System!, identifier.Value!);
                    return new PatientIdentity(key, restful?.Base, restful?.Id, identifier) { Aliases = EntryAliases(key) };
                }

                if (entryId is { } patientId)
                {
                    var key = PatientAliases.OfResource(patientId);
                    return new PatientIdentity(key, restful?.Base, patientId, null) { Aliases = EntryAliases(key) };
                }

                issues.Add(FhirIssue.Error(IssueCodes.BusinessRule,
                    "The Patient has a urn:uuid fullUrl and no identifier: FhirMmn cannot tell who the patient is. Give the Patient an identifier (system and value).",
                    $"Bundle.entry[{entry.Index}].resource.identifier"));
                return null;
            }

            if (subjectRef is not null)
            {
                var key = PatientAliases.OfResource(subjectRef.Id);
                return new PatientIdentity(key, subjectRef.Base, subjectRef.Id, null) { Aliases = PatientAliases.Collect(key, subjectRef.Id, null, null, null) };
            }

            return new PatientIdentity(subjectKey, null, null, subjectIdentifier) { Aliases = PatientAliases.Collect(subjectKey, null, subjectIdentifier, null, null) };
        }

        private Identifier? ChooseIdentifier(IReadOnlyList<Identifier>? identifiers)
        {
            var usable = (identifiers ?? []).Where(i => i.System is not null && i.Value is not null).ToList();
            return options.PatientIdentifierSystem is { } system
                ? usable.FirstOrDefault(i => i.System == system)
                : usable.FirstOrDefault();
        }
    }
}
