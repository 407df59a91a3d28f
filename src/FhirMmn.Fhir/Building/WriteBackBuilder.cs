using System.Globalization;
using FhirMmn.Domain;
using FhirMmn.Fhir.Extraction;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace FhirMmn.Fhir.Building;

/// <summary>What one write-back needs: the assessment, the patient, the time, and where it goes.</summary>
public sealed record WriteBackRequest
{
    /// <summary>The feed's name: part of the assessment identifier.</summary>
    public required string Feed { get; init; }

    public required PatientIdentity Patient { get; init; }

    public required AssembledEvidence Evidence { get; init; }

    public required MmnAssessment Assessment { get; init; }

    /// <summary>The time of the assessment (issued, recorded): from the service's clock, or the CLI's newest input.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The assessment episode of this patient (docs/write-back.md); 1 for the first.</summary>
    public int Episode { get; init; } = 1;

    /// <summary>The generation of the CarePlan; a new one when a clinician changed the previous one.</summary>
    public int CarePlanGeneration { get; init; } = 1;

    /// <summary>The CarePlan the new generation replaces, when there is one.</summary>
    public string? ReplacesCarePlan { get; init; }

    /// <summary>The base URL of the FHIR server written to: results on it are referenced relatively.</summary>
    public string? TargetServerBase { get; init; }

    /// <summary>preliminary (default), final, or amended.</summary>
    public string ReportStatus { get; init; } = "preliminary";

    /// <summary>draft (default) or active.</summary>
    public string CarePlanStatus { get; init; } = "draft";

    /// <summary>The ETag of the report version last read (conditional update), when known.</summary>
    public string? ReportIfMatch { get; init; }

    public string? CarePlanIfMatch { get; init; }

    /// <summary>url|version of the feed's ConceptMaps that mapped its local codes: policies of the Provenance.</summary>
    public IReadOnlyList<string> CodeMaps { get; init; } = [];
}

/// <summary>The transaction and the resources in it (Firely's R4 POCOs).</summary>
public sealed record WriteBack(
    Bundle Transaction,
    string AssessmentIdentifier,
    string CarePlanIdentifier,
    DiagnosticReport Report,
    CarePlan CarePlan,
    Provenance Provenance,
    Device Device);

/// <summary>
/// Builds the write-back transaction (docs/write-back.md) on Firely's R4 model: the classifier Device (created once),
/// results the hospital server does not hold yet (created once, by identifier), the DiagnosticReport and CarePlan
/// (conditional updates on their identifiers), and a Provenance pointing at both. Times come from the request (the
/// service's clock, or the CLI's newest input), so the same request gives the same resources, and Firely's serializer
/// the same bytes.
/// </summary>
public static class WriteBackBuilder
{
    public static WriteBack Build(WriteBackRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var assessment = request.Assessment;
        var evidence = request.Evidence;
        var assessmentId = StableIds.Assessment(request.Feed, request.Patient.Key, request.Episode);
        var carePlanId = StableIds.CarePlan(assessmentId, request.CarePlanGeneration);
        var reportUrn = StableIds.Urn(assessmentId, "DiagnosticReport");
        var planUrn = StableIds.Urn(carePlanId, "CarePlan");
        var deviceUrn = StableIds.Urn(ClassifierInfo.DeviceIdentifier, "Device");
        var time = Instant(request.Time);

        var created = evidence.Used.Where(o => !o.Identity.OnServer).ToList();
        var createdUrns = created.ToDictionary(o => o.Identity.Key, o => StableIds.Urn(o.Identity.Key, "Observation"), StringComparer.Ordinal);
        ResourceReference ObservationReference(FeedObservation o, bool versioned) => createdUrns.TryGetValue(o.Identity.Key, out var urn)
            ? new ResourceReference(urn)
            : new ResourceReference(ServerReference(o.Identity, request.TargetServerBase, versioned));

        var conclusion = ReportText.Conclusion(assessment);
        var provenanceTag = $"{assessmentId}-{evidence.Digest[..32]}";
        var report = new DiagnosticReport
        {
            Meta = new Meta { Profile = [Contract.DiagnosticReportProfile], Tag = [new Coding(Contract.EvidenceDigestSystem, evidence.Digest)] },
            Text = new Narrative { Status = Narrative.NarrativeStatus.Additional, Div = ReportText.Narrative(assessment, evidence) },
            Identifier = [new Identifier(Contract.AssessmentIdentifierSystem, assessmentId)],
            Status = Literal<DiagnosticReport.DiagnosticReportStatus>(request.ReportStatus, nameof(request.ReportStatus)),
            Category = [Concept(Terminology.DiagnosticServiceSection, "EN", "Electroneuro (EEG, EMG,EP,PSG)")],
            Code = new CodeableConcept
            {
                Coding =
                [
                    new Coding(Terminology.Loinc, Terminology.LoincEvaluationNote, "Evaluation note"),
                    new Coding(Contract.MmnReport, "mmn-assessment", "Multifocal motor neuropathy assessment"),
                ],
                Text = "Multifocal motor neuropathy assessment (EFNS/PNS 2010)",
            },
            Subject = PatientReference(request.Patient, request.TargetServerBase),
            Effective = evidence.Newest?.EffectiveText is { } effective ? new FhirDateTime(effective) : null,
            IssuedElement = time,
            Result = evidence.Used.Count == 0 ? null : evidence.Used.Select(o => ObservationReference(o, versioned: false)).ToList(),
            Conclusion = conclusion,
            ConclusionCode = ConclusionCodes(assessment),
        };

        var plan = new CarePlan
        {
            Meta = new Meta { Profile = [Contract.CarePlanProfile] },
            Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = PlanNarrative(assessment) },
            Identifier = [new Identifier(Contract.CarePlanIdentifierSystem, carePlanId)],
            InstantiatesCanonical = [$"{Contract.PlanDefinition}|{EfnsPns2010.Version}"],
            Replaces = request.ReplacesCarePlan is { } replaced ? [new ResourceReference(replaced)] : null,
            Status = Literal<RequestStatus>(request.CarePlanStatus, nameof(request.CarePlanStatus)),
            Intent = CarePlan.CarePlanIntent.Proposal,
            Title = "MMN management proposal (EFNS/PNS 2010)",
            Description = $"Guideline-based proposal for: {ReportText.CategoryText(assessment)}. {CarePlanActivities.ImmunosuppressantNote}",
            Subject = PatientReference(request.Patient, request.TargetServerBase),
            Created = (string?)time.JsonValue,
            SupportingInfo = [ReportReference(reportUrn)],
            Activity = CarePlanActivities.For(assessment).Select(a => Activity(a, reportUrn)).ToList(),
        };

        var device = Device();
        var provenance = new Provenance
        {
            Meta = new Meta { Profile = [Contract.ProvenanceProfile], Tag = [new Coding(Contract.ProvenanceTagSystem, provenanceTag)] },
            Target = [new ResourceReference(reportUrn), new ResourceReference(planUrn)],
            RecordedElement = (Instant)time.DeepCopy(),
            Policy = [$"{Contract.PlanDefinition}|{EfnsPns2010.Version}", .. request.CodeMaps],
            Agent =
            [
                new Provenance.AgentComponent
                {
                    Type = Concept(Terminology.ProvenanceParticipantType, "author", "Author"),
                    Who = new ResourceReference(deviceUrn, ClassifierInfo.Name),
                },
            ],
            Entity = evidence.Used.Count == 0
                ? null
                : evidence.Used.Select(o => new Provenance.EntityComponent { Role = Provenance.ProvenanceEntityRole.Source, What = ObservationReference(o, versioned: true) }).ToList(),
        };

        var entries = new List<Bundle.EntryComponent>
        {
            new()
            {
                FullUrl = deviceUrn,
                Resource = device,
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.POST,
                    Url = "Device",
                    IfNoneExist = SearchQueries.Identifier(Contract.ClassifierIdentifierSystem, ClassifierInfo.DeviceIdentifier),
                },
            },
        };
        entries.AddRange(created.Select(o => new Bundle.EntryComponent
        {
            FullUrl = createdUrns[o.Identity.Key],
            Resource = ObservationToCreate(o, request.Patient, request.TargetServerBase),
            Request = new Bundle.RequestComponent
            {
                Method = Bundle.HTTPVerb.POST,
                Url = "Observation",
                IfNoneExist = SearchQueries.Identifier(o.Identity.Identifier!.System!, o.Identity.Identifier.Value!),
            },
        }));
        entries.Add(ConditionalUpdate(reportUrn, report, Contract.AssessmentIdentifierSystem, assessmentId, request.ReportIfMatch));
        entries.Add(ConditionalUpdate(planUrn, plan, Contract.CarePlanIdentifierSystem, carePlanId, request.CarePlanIfMatch));
        entries.Add(new Bundle.EntryComponent
        {
            FullUrl = StableIds.Urn(assessmentId, evidence.Digest, "Provenance"),
            Resource = provenance,
            Request = new Bundle.RequestComponent
            {
                Method = Bundle.HTTPVerb.POST,
                Url = "Provenance",
                IfNoneExist = "_tag=" + Uri.EscapeDataString(Contract.ProvenanceTagSystem) + "|" + Uri.EscapeDataString(provenanceTag),
            },
        });

        var transaction = new Bundle { Type = Bundle.BundleType.Transaction, TimestampElement = (Instant)time.DeepCopy(), Entry = entries };
        return new WriteBack(transaction, assessmentId, carePlanId, report, plan, provenance, device);
    }

    /// <summary>PUT Type?identifier=system|value: creates the resource once, then versions it; ifMatch guards the version read.</summary>
    private static Bundle.EntryComponent ConditionalUpdate(string fullUrl, Resource resource, string system, string value, string? ifMatch) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent
        {
            Method = Bundle.HTTPVerb.PUT,
            Url = $"{resource.TypeName}?{SearchQueries.Identifier(system, value)}",
            IfMatch = ifMatch,
        },
    };

    /// <summary>The three conclusion codes, each its own concept (codings in one concept would read as equivalents).</summary>
    private static List<CodeableConcept> ConclusionCodes(MmnAssessment assessment)
    {
        var codes = new List<CodeableConcept>
        {
            Concept(Contract.MmnCategory, assessment.Category.Code(), ReportText.CategoryDisplay(assessment.Category), ReportText.ConditionalCategoryText(assessment)),
            Concept(Contract.MmnBasis, assessment.Basis.Code(), ReportText.BasisDisplay(assessment.Basis)),
        };

        // Only where the criteria made the diagnosis, so an EHR copying it to a problem list records nothing more.
        if (assessment.Category is MmnCategory.Definite or MmnCategory.Probable && assessment.Basis == ClinicalBasis.ClinicalCriteriaProvided)
        {
            codes.Add(Concept(Terminology.Snomed, Terminology.SnomedMultifocalMotorNeuropathy, "Multifocal motor neuropathy"));
        }

        return codes;
    }

    /// <summary>One proposed activity: not started, its kind, its code in CodeSystem/mmn-report, the words with the dose; the report as its reason.</summary>
    private static CarePlan.ActivityComponent Activity(PlannedActivity planned, string reportUrn) => new()
    {
        Detail = new CarePlan.DetailComponent
        {
            Kind = Literal<CarePlan.CarePlanActivityKind>(planned.Kind, nameof(planned.Kind)),
            Code = Concept(Contract.MmnReport, planned.Code, planned.Display),
            ReasonReference = [ReportReference(reportUrn)],
            Status = CarePlan.CarePlanActivityStatus.NotStarted,
            DoNotPerform = planned.DoNotPerform ? true : null,
            Description = planned.Description,
        },
    };

    public static Device Device() => new()
    {
        Meta = new Meta { Profile = [Contract.DeviceProfile] },
        Identifier = [new Identifier(Contract.ClassifierIdentifierSystem, ClassifierInfo.DeviceIdentifier)],
        Status = Hl7.Fhir.Model.Device.FHIRDeviceStatus.Active,
        Manufacturer = ClassifierInfo.Manufacturer,
        DeviceName = [new Hl7.Fhir.Model.Device.DeviceNameComponent { Name = ClassifierInfo.Name, Type = DeviceNameType.UserFriendlyName }],
        Version =
        [
            new Hl7.Fhir.Model.Device.VersionComponent { Type = new CodeableConcept { Text = "software" }, Value = ClassifierInfo.SoftwareVersion },
            new Hl7.Fhir.Model.Device.VersionComponent { Type = new CodeableConcept { Text = "criteria" }, Value = ClassifierInfo.CriteriaVersion },
        ],
        Note = [new Annotation { Text = new Markdown($"Implements {EfnsPns2010.Citation}.") }],
    };

    private static string PlanNarrative(MmnAssessment assessment)
    {
        var x = new Xhtml();
        x.Open("p").Element("b", $"MMN management proposal (EFNS/PNS 2010): {ReportText.CategoryText(assessment)}").Close("p");
        x.List(CarePlanActivities.For(assessment).Select(a => a.Description));
        x.Element("p", CarePlanActivities.ImmunosuppressantNote);
        x.Element("p", "A proposal for the treating neurologist; nothing here is ordered.");
        return x.ToString();
    }

    /// <summary>An instant as FHIR's UTC form to the second ("...Z"): Firely would write a DateTimeOffset as "+00:00".</summary>
    internal static Instant Instant(DateTimeOffset time) => new()
    {
        JsonValue = time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    internal static CodeableConcept Concept(string system, string code, string display, string? text = null) =>
        new() { Coding = [new Coding(system, code, display)], Text = text };

    private static ResourceReference ReportReference(string reportUrn) => new(reportUrn, "MMN assessment");

    /// <summary>A FHIR code given as text (from options or the activity table) as Firely's enum; a code Firely does not know is a programming error.</summary>
    private static T Literal<T>(string code, string name)
        where T : struct, Enum =>
        EnumUtility.ParseLiteral<T>(code) ?? throw new ArgumentException($"{name} is not a {typeof(T).Name} code.", name);

    private static ResourceReference PatientReference(PatientIdentity patient, string? target)
    {
        if (patient.ResourceId is { } id)
        {
            var relative = $"Patient/{id}";
            return new ResourceReference(patient.ServerBase is null || SameBase(patient.ServerBase, target) ? relative : $"{patient.ServerBase}/{relative}");
        }

        // Known only by identifier: a conditional reference, which the server resolves in the transaction.
        var identifier = patient.Identifier!;
        return new ResourceReference
        {
            Reference = SearchQueries.PatientByIdentifier(identifier.System!, identifier.Value!),
            Type = "Patient",
            Identifier = new Identifier(identifier.System!, identifier.Value!),
        };
    }

    private static string ServerReference(ObservationIdentity identity, string? target, bool versioned)
    {
        var relative = $"Observation/{identity.ResourceId}" + (versioned && identity.VersionId is { } v ? $"/_history/{v}" : string.Empty);
        return SameBase(identity.ServerBase, target) ? relative : $"{identity.ServerBase}/{relative}";
    }

    private static bool SameBase(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static readonly string[] BundleLocalListReferences = ["basedOn", "partOf", "focus", "performer", "hasMember", "derivedFrom"];

    /// <summary>
    /// A result the hospital server does not hold, as the hospital sent it, made ready to create: no id or server
    /// metadata, the subject pointed at the patient, and references to other bundle-local resources (urn:) dropped,
    /// since the transaction does not create those. The JSON was checked by the strict reader; Firely reads it in its
    /// recoverable mode, which keeps every element.
    /// </summary>
    private static Observation ObservationToCreate(FeedObservation feed, PatientIdentity patient, string? target)
    {
        if (!Model.FhirJson.TryParse(System.Text.Encoding.UTF8.GetBytes(feed.Json!), out var parsed) || parsed is not Observation observation)
        {
            throw new InvalidOperationException("A result to create could not be read into the FHIR model.");
        }

        observation.Id = null;
        if (observation.Meta is { } meta)
        {
            meta.VersionId = null;
            meta.LastUpdatedElement = null;
            meta.Source = null;
            if (meta.IsNullOrEmpty())
            {
                observation.Meta = null;
            }
        }

        observation.Subject = PatientReference(patient, target);
        observation.BasedOn = Kept(observation.BasedOn);
        observation.PartOf = Kept(observation.PartOf);
        observation.Focus = Kept(observation.Focus);
        observation.Performer = Kept(observation.Performer);
        observation.HasMember = Kept(observation.HasMember);
        observation.DerivedFrom = Kept(observation.DerivedFrom);
        observation.Encounter = BundleLocal(observation.Encounter) ? null : observation.Encounter;
        observation.Specimen = BundleLocal(observation.Specimen) ? null : observation.Specimen;
        observation.Device = BundleLocal(observation.Device) ? null : observation.Device;
        return observation;
    }

    private static List<ResourceReference>? Kept(List<ResourceReference>? references) =>
        references?.Where(r => !BundleLocal(r)).ToList() is { Count: > 0 } kept ? kept : null;

    private static bool BundleLocal(ResourceReference? reference) => reference?.Reference is { } value && References.IsUrn(value);
}
