using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FhirMmn.Domain;
using FhirMmn.Fhir.Extraction;
using FhirMmn.Fhir.Model;

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

    /// <summary>The assessment episode of this patient (DESIGN.md section 6); 1 for the first.</summary>
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
}

/// <summary>The transaction and the resources in it.</summary>
public sealed record WriteBack(
    Bundle Transaction,
    string AssessmentIdentifier,
    string CarePlanIdentifier,
    DiagnosticReport Report,
    CarePlan CarePlan,
    Provenance Provenance,
    Device Device);

/// <summary>
/// Builds the write-back transaction (DESIGN.md section 6): the classifier Device (created once),
/// results the hospital server does not hold yet (created once, by identifier), the DiagnosticReport
/// and CarePlan (conditional updates on their identifiers), and a Provenance pointing at both.
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
        var patient = PatientReference(request.Patient, request.TargetServerBase);

        var created = evidence.Used.Where(o => !o.Identity.OnServer).ToList();
        var createdUrns = created.ToDictionary(o => o.Identity.Key, o => StableIds.Urn(o.Identity.Key, "Observation"), StringComparer.Ordinal);
        Reference ObservationReference(FeedObservation o, bool versioned) => createdUrns.TryGetValue(o.Identity.Key, out var urn)
            ? Reference.To(urn)
            : Reference.To(ServerReference(o.Identity, request.TargetServerBase, versioned));

        var conclusion = ReportText.Conclusion(assessment);
        var provenanceTag = Coding.Of(Contract.ProvenanceTagSystem, $"{assessmentId}-{evidence.Digest[..32]}");
        var report = new DiagnosticReport
        {
            Meta = new Meta { Profile = [Contract.DiagnosticReportProfile], Tag = [Coding.Of(Contract.EvidenceDigestSystem, evidence.Digest)] },
            Text = new Narrative { Status = "additional", Div = ReportText.Narrative(assessment, evidence, conclusion) },
            Identifier = [Identifier.Of(Contract.AssessmentIdentifierSystem, assessmentId)],
            Status = request.ReportStatus,
            Category = [CodeableConcept.Of(Terminology.DiagnosticServiceSection, "EN", "Electroneuro")],
            Code = new CodeableConcept
            {
                Coding =
                [
                    Coding.Of(Terminology.Loinc, Terminology.LoincEvaluationNote, "Evaluation note"),
                    Coding.Of(Contract.MmnReport, "mmn-assessment", "MMN assessment (EFNS/PNS 2010)"),
                ],
                Text = "Multifocal motor neuropathy assessment (EFNS/PNS 2010)",
            },
            Subject = patient,
            EffectiveDateTime = evidence.Newest?.EffectiveText,
            Issued = time,
            Result = evidence.Used.Count == 0 ? null : evidence.Used.Select(o => ObservationReference(o, versioned: false)).ToList(),
            Conclusion = conclusion,
            ConclusionCode = ConclusionCodes(assessment),
        };

        var reportReference = Reference.To(reportUrn, "MMN assessment");
        var plan = new CarePlan
        {
            Meta = new Meta { Profile = [Contract.CarePlanProfile] },
            Text = new Narrative { Status = "generated", Div = PlanNarrative(assessment) },
            Identifier = [Identifier.Of(Contract.CarePlanIdentifierSystem, carePlanId)],
            InstantiatesCanonical = [$"{Contract.PlanDefinition}|{EfnsPns2010.Version}"],
            Replaces = request.ReplacesCarePlan is { } replaced ? [Reference.To(replaced)] : null,
            Status = request.CarePlanStatus,
            Intent = "proposal",
            Title = "MMN management proposal (EFNS/PNS 2010)",
            Description = $"Guideline-based proposal for: {ReportText.CategoryText(assessment)}. {CarePlanActivities.ImmunosuppressantNote}",
            Subject = patient,
            Created = time,
            SupportingInfo = [reportReference],
            Activity = CarePlanActivities.For(assessment).Select(a => CarePlanActivities.ToActivity(a, reportReference)).ToList(),
        };

        var device = Device();
        var provenance = new Provenance
        {
            Meta = new Meta { Profile = [Contract.ProvenanceProfile], Tag = [provenanceTag] },
            Target = [Reference.To(reportUrn), Reference.To(planUrn)],
            Recorded = time,
            Policy = [$"{Contract.PlanDefinition}|{EfnsPns2010.Version}"],
            Agent =
            [
                new ProvenanceAgent
                {
                    Type = CodeableConcept.Of(Terminology.ProvenanceParticipantType, "author", "Author"),
                    Who = Reference.To(deviceUrn, ClassifierInfo.Name),
                },
            ],
            Entity = evidence.Used.Count == 0 ? null : evidence.Used.Select(o => new ProvenanceEntity { Role = "source", What = ObservationReference(o, versioned: true) }).ToList(),
        };

        var entries = new List<BundleEntry>
        {
            new()
            {
                FullUrl = deviceUrn,
                Resource = device,
                Request = new BundleEntryRequest { Method = "POST", Url = "Device", IfNoneExist = SearchQueries.Identifier(Contract.ClassifierIdentifierSystem, ClassifierInfo.DeviceIdentifier) },
            },
        };
        entries.AddRange(created.Select(o => new BundleEntry
        {
            FullUrl = createdUrns[o.Identity.Key],
            Resource = ObservationToCreate(o, patient),
            Request = new BundleEntryRequest
            {
                Method = "POST",
                Url = "Observation",
                IfNoneExist = SearchQueries.Identifier(o.Identity.Identifier!.System!, o.Identity.Identifier.Value!),
            },
        }));
        entries.Add(ConditionalUpdate(reportUrn, report, Contract.AssessmentIdentifierSystem, assessmentId, request.ReportIfMatch));
        entries.Add(ConditionalUpdate(planUrn, plan, Contract.CarePlanIdentifierSystem, carePlanId, request.CarePlanIfMatch));
        entries.Add(new BundleEntry
        {
            FullUrl = StableIds.Urn(assessmentId, evidence.Digest, "Provenance"),
            Resource = provenance,
            Request = new BundleEntryRequest
            {
                Method = "POST",
                Url = "Provenance",
                IfNoneExist = "_tag=" + Uri.EscapeDataString(provenanceTag.System!) + "|" + Uri.EscapeDataString(provenanceTag.Code!),
            },
        });

        var transaction = new Bundle { Type = "transaction", Timestamp = time, Entry = entries };
        return new WriteBack(transaction, assessmentId, carePlanId, report, plan, provenance, device);
    }

    /// <summary>PUT Type?identifier=system|value: creates the resource once, then versions it; ifMatch guards the version read.</summary>
    private static BundleEntry ConditionalUpdate(string fullUrl, Resource resource, string system, string value, string? ifMatch) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new BundleEntryRequest
        {
            Method = "PUT",
            Url = $"{resource.ResourceType}?{SearchQueries.Identifier(system, value)}",
            IfMatch = ifMatch,
        },
    };

    /// <summary>The three conclusion codes, each its own concept (codings in one concept would read as equivalents).</summary>
    private static List<CodeableConcept> ConclusionCodes(MmnAssessment assessment)
    {
        var codes = new List<CodeableConcept>
        {
            CodeableConcept.Of(Contract.MmnCategory, assessment.Category.Code(), ReportText.CategoryDisplay(assessment.Category)) with
            {
                Text = ReportText.ConditionalCategoryText(assessment),
            },
            CodeableConcept.Of(Contract.MmnBasis, assessment.Basis.Code(), ReportText.BasisDisplay(assessment.Basis)),
        };

        // Only where the criteria made the diagnosis, so an EHR copying it to a problem list records nothing more.
        if (assessment.Category is MmnCategory.Definite or MmnCategory.Probable && assessment.Basis == ClinicalBasis.ClinicalCriteriaProvided)
        {
            codes.Add(CodeableConcept.Of(Terminology.Snomed, Terminology.SnomedMultifocalMotorNeuropathy, "Multifocal motor neuropathy"));
        }

        return codes;
    }

    public static Device Device() => new()
    {
        Meta = new Meta { Profile = [Contract.DeviceProfile] },
        Identifier = [Identifier.Of(Contract.ClassifierIdentifierSystem, ClassifierInfo.DeviceIdentifier)],
        Status = "active",
        Manufacturer = ClassifierInfo.Manufacturer,
        DeviceName = [new DeviceName { Name = ClassifierInfo.Name, Type = "user-friendly-name" }],
        Version =
        [
            new DeviceVersion { Type = CodeableConcept.OfText("software"), Value = ClassifierInfo.SoftwareVersion },
            new DeviceVersion { Type = CodeableConcept.OfText("criteria"), Value = ClassifierInfo.CriteriaVersion },
        ],
        Note = [new Annotation { Text = $"Implements {EfnsPns2010.Citation}." }],
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

    internal static string Instant(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Reference PatientReference(PatientIdentity patient, string? target)
    {
        if (patient.ResourceId is { } id)
        {
            var relative = $"Patient/{id}";
            return Reference.To(patient.ServerBase is null || SameBase(patient.ServerBase, target) ? relative : $"{patient.ServerBase}/{relative}");
        }

        // Known only by identifier: a conditional reference, which the server resolves in the transaction.
        var identifier = patient.Identifier!;
        return new Reference
        {
            ReferenceValue = SearchQueries.PatientByIdentifier(identifier.System!, identifier.Value!),
            Type = "Patient",
            Identifier = Identifier.Of(identifier.System!, identifier.Value!),
        };
    }

    private static string ServerReference(ObservationIdentity identity, string? target, bool versioned)
    {
        var relative = $"Observation/{identity.ResourceId}" + (versioned && identity.VersionId is { } v ? $"/_history/{v}" : string.Empty);
        return SameBase(identity.ServerBase, target) ? relative : $"{identity.ServerBase}/{relative}";
    }

    private static bool SameBase(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A result the hospital server does not hold, as the hospital sent it, made ready to create: no id or
    /// server metadata, the subject pointed at the patient, and references to other bundle-local
    /// resources (urn:) dropped, since the transaction does not create those.
    /// </summary>
    private static OtherResource ObservationToCreate(FeedObservation observation, Reference patient)
    {
        var json = JsonNode.Parse(observation.Json!)!.AsObject();
        json.Remove("id");
        if (json["meta"] is JsonObject meta)
        {
            meta.Remove("versionId");
            meta.Remove("lastUpdated");
            meta.Remove("source");
            if (meta.Count == 0)
            {
                json.Remove("meta");
            }
        }

        json["subject"] = JsonSerializer.SerializeToNode(patient, FhirJson.InfoFor(typeof(Reference)));
        foreach (var name in new[] { "basedOn", "partOf", "focus", "performer", "hasMember", "derivedFrom" })
        {
            if (json[name] is JsonArray array)
            {
                foreach (var item in array.Where(IsBundleLocal).ToList())
                {
                    array.Remove(item);
                }

                if (array.Count == 0)
                {
                    json.Remove(name);
                }
            }
        }

        foreach (var name in new[] { "encounter", "specimen", "device" })
        {
            if (IsBundleLocal(json[name]))
            {
                json.Remove(name);
            }
        }

        using var document = JsonDocument.Parse(json.ToJsonString());
        return new OtherResource("Observation", document.RootElement.Clone());
    }

    private static bool IsBundleLocal(JsonNode? reference) =>
        reference?["reference"]?.GetValue<string>() is { } value && References.IsUrn(value);
}
