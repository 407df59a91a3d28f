using Hl7.Fhir.Model;

namespace FhirMmn.Fhir.Building;

/// <summary>
/// What withdrawing a report needs: the report and plan as the service wrote them (rebuilt from the evidence they were
/// made from), the versions read, and the identifier of the report kept for the same person.
/// </summary>
public sealed record WithdrawalRequest
{
    /// <summary>The write-back that made the report and plan being withdrawn (<see cref="WriteBackBuilder.Build"/> of their own evidence).</summary>
    public required WriteBack Withdrawn { get; init; }

    /// <summary>The assessment identifier of the report kept.</summary>
    public required string KeptAssessment { get; init; }

    public required DateTimeOffset Time { get; init; }

    public string? ReportIfMatch { get; init; }

    /// <summary>Withdraw the plan too: false when a clinician has changed it (it is theirs now).</summary>
    public bool WithdrawCarePlan { get; init; } = true;

    public string? CarePlanIfMatch { get; init; }
}

/// <summary>
/// Withdraws a report (and its plan) written for a patient record that proved to be the same person as another
/// (docs/patients.md): the same resources, status <c>entered-in-error</c>, a conclusion that says so and names the report
/// kept, written by conditional update on their identifiers with ifMatch; and a Provenance (activity v3-DataOperation
/// NULLIFY, reason v3-ActReason RECORDMGT) created once, by its tag.
/// </summary>
public static class Withdrawal
{
    /// <summary>Why: said in the withdrawn report's conclusion, the plan's description and the Provenance's reason.</summary>
    public static string Reason(string keptAssessment) =>
        "Entered in error: this assessment was made for a record of the patient that proved to be the same person as another record; "
        + $"the evidence of both is assessed together in the report kept (assessment identifier {keptAssessment}).";

    public static Bundle Build(WithdrawalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var withdrawn = request.Withdrawn;
        var why = Reason(request.KeptAssessment);
        var time = WriteBackBuilder.Instant(request.Time);
        var reportUrn = StableIds.Urn(withdrawn.AssessmentIdentifier, "DiagnosticReport", "withdrawn");
        var planUrn = StableIds.Urn(withdrawn.CarePlanIdentifier, "CarePlan", "withdrawn");
        var deviceUrn = StableIds.Urn(ClassifierInfo.DeviceIdentifier, "Device");

        var report = (DiagnosticReport)withdrawn.Report.DeepCopy();
        report.Status = DiagnosticReport.DiagnosticReportStatus.EnteredInError;
        report.Conclusion = why;
        report.IssuedElement = (Instant)time.DeepCopy();

        var entries = new List<Bundle.EntryComponent>
        {
            new()
            {
                FullUrl = deviceUrn,
                Resource = WriteBackBuilder.Device(),
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.POST,
                    Url = "Device",
                    IfNoneExist = SearchQueries.Identifier(Contract.ClassifierIdentifierSystem, ClassifierInfo.DeviceIdentifier),
                },
            },
            Update(reportUrn, report, Contract.AssessmentIdentifierSystem, withdrawn.AssessmentIdentifier, request.ReportIfMatch),
        };
        var targets = new List<ResourceReference> { new(reportUrn) };
        if (request.WithdrawCarePlan)
        {
            var plan = (CarePlan)withdrawn.CarePlan.DeepCopy();
            plan.Status = RequestStatus.EnteredInError;
            plan.Description = why;
            foreach (var supporting in plan.SupportingInfo)
            {
                supporting.Reference = reportUrn;
            }

            foreach (var activity in plan.Activity)
            {
                activity.Detail?.ReasonReference.ForEach(r => r.Reference = reportUrn);
            }

            entries.Add(Update(planUrn, plan, Contract.CarePlanIdentifierSystem, withdrawn.CarePlanIdentifier, request.CarePlanIfMatch));
            targets.Add(new ResourceReference(planUrn));
        }

        var tag = $"{withdrawn.AssessmentIdentifier}-withdrawn";
        entries.Add(new Bundle.EntryComponent
        {
            FullUrl = StableIds.Urn(withdrawn.AssessmentIdentifier, "Provenance", "withdrawn"),
            Resource = new Provenance
            {
                Meta = new Meta { Profile = [Contract.ProvenanceProfile], Tag = [new Coding(Contract.ProvenanceTagSystem, tag)] },
                Target = targets,
                RecordedElement = (Instant)time.DeepCopy(),
                Policy = [$"{Contract.PlanDefinition}|{Domain.EfnsPns2010.Version}"],
                Activity = WriteBackBuilder.Concept(Terminology.DataOperation, "NULLIFY", "nullify", "Withdrawn: entered in error"),
                Reason = [WriteBackBuilder.Concept(Terminology.ActReason, "RECORDMGT", "records management", why)],
                Agent =
                [
                    new Provenance.AgentComponent
                    {
                        Type = WriteBackBuilder.Concept(Terminology.ProvenanceParticipantType, "author", "Author"),
                        Who = new ResourceReference(deviceUrn, ClassifierInfo.Name),
                    },
                ],
            },
            Request = new Bundle.RequestComponent
            {
                Method = Bundle.HTTPVerb.POST,
                Url = "Provenance",
                IfNoneExist = "_tag=" + Uri.EscapeDataString(Contract.ProvenanceTagSystem) + "|" + Uri.EscapeDataString(tag),
            },
        });

        return new Bundle { Type = Bundle.BundleType.Transaction, TimestampElement = (Instant)time.DeepCopy(), Entry = entries };
    }

    private static Bundle.EntryComponent Update(string fullUrl, Resource resource, string system, string value, string? ifMatch) => new()
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
}
