using System.Text.Json.Nodes;
using FhirMmn.Domain;
using FhirMmn.Fhir.Extraction;

namespace FhirMmn.Fhir.Tests;

/// <summary>The feed contract's meaning: units, antibody forms, studies, statuses, patients.</summary>
public sealed class ExtractionTests
{
    private static AssembledEvidence Evidence(JsonNode bundle) => EvidenceAssembler.Assemble(bundle.Read().Accepted().Observations);

    [Fact]
    public void Microvolt_amplitudes_convert_to_millivolts_exactly()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1)["valueQuantity"] = Feeds.Quantity(10200m, "uV");
        bundle.Entry(1)["component"]![2]!["valueQuantity"] = Feeds.Quantity(26000m, "uV.ms");

        var site = Evidence(bundle).Evidence.MotorStudies.Single(s => s.Nerve == MotorNerve.Ulnar).Sites[0];

        Assert.Equal(10.2m, site.AmplitudeMv);
        Assert.Equal(26m, site.AreaMvMs);
        Assert.Equal(6.0m, site.AmplitudeLowerLimitMv);
    }

    [Fact]
    public void An_onset_latency_is_kept_for_the_report_through_the_store_and_in_the_digest_and_changes_no_grade()
    {
        var plain = Feeds.Load(Feeds.Definite);
        var withLatency = Feeds.Load(Feeds.Definite);
        withLatency.Entry(1)["component"]!.AsArray().Add(new JsonObject
        {
            ["code"] = Feeds.Concept(Contract.Ncs, ContractCodes.OnsetLatencyComponent),
            ["valueQuantity"] = Feeds.Quantity(2.9m, "ms"),
        });
        var observations = withLatency.Read().Accepted().Observations;

        var stored = FeedObservationJson.Deserialize(FeedObservationJson.Serialize(observations[0]));

        Assert.Equal(2.9m, ((CmapReading)stored.Reading!).OnsetLatencyMs);
        Assert.Null(((CmapReading)plain.Read().Accepted().Observations[0].Reading!).OnsetLatencyMs);
        var a = EvidenceAssembler.Assemble(plain.Read().Accepted().Observations);
        var b = EvidenceAssembler.Assemble(observations);
        Assert.NotEqual(a.Digest, b.Digest);
        Assert.Equal(2.9m, b.Evidence.MotorStudies.Single(s => s.Nerve == MotorNerve.Ulnar).Sites[0].OnsetLatencyMs);
        Assert.Null(a.Evidence.MotorStudies.Single(s => s.Nerve == MotorNerve.Ulnar).Sites[0].OnsetLatencyMs);
        Assert.Equal(MmnClassifier.Classify(a.Evidence).Category, MmnClassifier.Classify(b.Evidence).Category);
        Assert.Equal(
            MmnClassifier.Classify(a.Evidence).Segments.Select(s => (s.Grade, s.AreaReductionPercent, s.DurationIncreasePercent, s.Why)),
            MmnClassifier.Classify(b.Evidence).Segments.Select(s => (s.Grade, s.AreaReductionPercent, s.DurationIncreasePercent, s.Why)));
    }

    [Fact]
    public void Snap_amplitudes_in_millivolts_convert_to_microvolts()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(7)["valueQuantity"] = Feeds.Quantity(0.019m, "mV");

        var snap = Evidence(bundle).Evidence.Snaps.Single(s => s.Nerve == SensoryNerve.Ulnar);

        Assert.Equal(19m, snap.AmplitudeUv);
    }

    [Fact]
    public void A_snap_stimulation_site_is_read_and_makes_a_segmental_snap_beside_the_distal_one()
    {
        var snaps = Evidence(Feeds.Load(Feeds.SegmentalSnap)).Evidence.Snaps.Where(s => s.Nerve == SensoryNerve.Median).ToList();

        var ordered = snaps.OrderBy(s => s.Site).ToList();
        Assert.Equal([null, StimulationSite.Elbow], ordered.Select(s => s.Site));
        Assert.Equal([9m, 17m], ordered.Select(s => s.AmplitudeUv!.Value));
        Assert.Equal([true, false], ordered.Select(s => s.IsDistal));
    }

    [Fact]
    public void A_snap_stimulated_at_the_wrist_is_the_distal_snap()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(7)["component"]!.AsArray().Add(Feeds.Component(ContractCodes.StimulationSiteComponent, Feeds.Concept(Contract.StimulationSite, "wrist")));

        var snap = Evidence(bundle).Evidence.Snaps.Single(s => s.Nerve == SensoryNerve.Ulnar);

        Assert.Equal(StimulationSite.Wrist, snap.Site);
        Assert.True(snap.IsDistal);
    }

    [Fact]
    public void A_lateral_antebrachial_cutaneous_snap_is_read_and_holds_against_a_musculocutaneous_block()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(8)["bodySite"] = Feeds.Concept(Contract.Nerve, "lateral-antebrachial-cutaneous");

        var snap = Evidence(bundle).Evidence.Snaps.Single(s => s.Nerve == SensoryNerve.LateralAntebrachialCutaneous);

        Assert.Equal((Side.Left, 12m), (snap.Side, snap.AmplitudeUv));
        Assert.Equal(SensoryNerve.LateralAntebrachialCutaneous, MotorNerve.Musculocutaneous.SensoryCounterpart());
    }

    [Fact]
    public void The_example_studies_group_by_nerve_side_and_day_with_sites_in_order()
    {
        var studies = Evidence(Feeds.Load(Feeds.Definite)).Evidence.MotorStudies;

        Assert.Equal(2, studies.Count);
        var ulnar = studies.Single(s => s.Nerve == MotorNerve.Ulnar);
        Assert.Equal(Side.Left, ulnar.Side);
        Assert.Equal([StimulationSite.Wrist, StimulationSite.BelowElbow, StimulationSite.AboveElbow], ulnar.Sites.Select(s => s.Site));
    }

    [Fact]
    public void Studies_of_one_nerve_on_different_days_stay_apart()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(3)["effectiveDateTime"] = "2026-10-20";

        var ulnar = Evidence(bundle).Evidence.MotorStudies.Where(s => s.Nerve == MotorNerve.Ulnar).ToList();

        Assert.Equal([2, 1], ulnar.Select(s => s.Sites.Count));
    }

    [Fact]
    public void A_study_is_grouped_by_its_procedure_before_its_day()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        foreach (var i in new[] { 1, 2, 3 })
        {
            bundle.Entry(i)["partOf"] = new JsonArray(new JsonObject { ["reference"] = "Procedure/ncs-1" });
        }

        bundle.Entry(3)["effectiveDateTime"] = "2026-10-15";

        var ulnar = Assert.Single(Evidence(bundle).Evidence.MotorStudies, s => s.Nerve == MotorNerve.Ulnar);
        Assert.Equal(3, ulnar.Sites.Count);
    }

    [Fact]
    public void A_study_is_grouped_by_its_has_member_panel()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(3)["effectiveDateTime"] = "2026-10-15";
        var panel = Feeds.Observation("panel-1", Feeds.Concept("http://loinc.org", "98712-3"), "Patient/pat-example-definite-ulnar-forearm");
        panel["hasMember"] = new JsonArray(
            new JsonObject { ["reference"] = "Observation/example-definite-ulnar-forearm-obs-1" },
            new JsonObject { ["reference"] = "Observation/example-definite-ulnar-forearm-obs-2" },
            new JsonObject { ["reference"] = "Observation/example-definite-ulnar-forearm-obs-3" });
        bundle["entry"]!.AsArray().Add(new JsonObject { ["fullUrl"] = "https://ehr.example.org/fhir/Observation/panel-1", ["resource"] = panel });

        var ulnar = Assert.Single(Evidence(bundle).Evidence.MotorStudies, s => s.Nerve == MotorNerve.Ulnar);
        Assert.Equal(3, ulnar.Sites.Count);
    }

    [Fact]
    public void A_cmap_with_a_data_absent_reason_is_a_site_without_amplitude()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(1).Remove("valueQuantity");
        bundle.Entry(1)["dataAbsentReason"] = Feeds.Concept("http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-performed");

        var site = Evidence(bundle).Evidence.MotorStudies.Single(s => s.Nerve == MotorNerve.Ulnar).Sites[0];

        Assert.Null(site.AmplitudeMv);
    }

    public static TheoryData<string, JsonObject, CriterionStatus> AntiGm1Rows => new()
    {
        { "quantity above the upper limit", Gm1Quantity(140m, null, 50m), CriterionStatus.Met },
        { "quantity at the upper limit", Gm1Quantity(50m, null, 50m), CriterionStatus.NotMet },
        { "quantity '<' below the limit", Gm1Quantity(10m, "<", 50m), CriterionStatus.NotMet },
        { "quantity '>' above the limit", Gm1Quantity(100m, ">", 50m), CriterionStatus.Met },
        { "quantity '>' below the limit cannot be read", Gm1Quantity(10m, ">", 50m), CriterionStatus.NotProvided },
        { "interpretation H decides over a normal value", WithInterpretation(Gm1Quantity(10m, null, 50m), "H"), CriterionStatus.Met },
        { "interpretation N decides over a high value", WithInterpretation(Gm1Quantity(140m, null, 50m), "N"), CriterionStatus.NotMet },
        { "equivocal E is equivocal, not 'not raised' (section 4.1 item 9)", WithInterpretation(Gm1Quantity(55m, null, 50m), "E"), CriterionStatus.Equivocal },
        { "indeterminate IND is equivocal", WithInterpretation(Gm1Quantity(55m, null, 50m), "IND"), CriterionStatus.Equivocal },
        { "N beside E: the lab was not sure, equivocal", WithInterpretation(Gm1Quantity(55m, null, 50m), "N", "E"), CriterionStatus.Equivocal },
        { "range in another unit cannot be read", Gm1Quantity(140m, null, 50m, "[IU]/mL"), CriterionStatus.NotProvided },
        { "titre above '<= 1:800'", Titre(1600m, "<= 1:800"), CriterionStatus.Met },
        { "titre at '<= 1:800'", Titre(800m, "<= 1:800"), CriterionStatus.NotMet },
        { "titre at '< 1:800'", Titre(800m, "< 1:800"), CriterionStatus.Met },
        { "titre as a string", TitreString("1:3200", "<= 1:800"), CriterionStatus.Met },
        { "qualitative positive", Presence(Terminology.SnomedPositive), CriterionStatus.Met },
        { "qualitative negative", Presence(Terminology.SnomedNegative), CriterionStatus.NotMet },
    };

    [Theory]
    [MemberData(nameof(AntiGm1Rows))]
    public void Anti_gm1_is_read_in_every_form_of_the_contract(string why, JsonObject observation, CriterionStatus expected)
    {
        var bundle = Feeds.Load(Feeds.Definite);
        observation["subject"] = new JsonObject { ["reference"] = "Patient/pat-example-definite-ulnar-forearm" };
        bundle["entry"]![9]!["resource"] = observation;

        var assessment = MmnClassifier.Classify(Evidence(bundle).Evidence);

        var criterion = assessment.Criteria.Single(c => c.Id == CriterionId.AntiGm1Raised);
        Assert.True(expected == criterion.Status, $"{why}: {criterion.Status} ({criterion.Detail})");
    }

    private static JsonObject Gm1(JsonNode code, string id = "example-definite-ulnar-forearm-obs-9") =>
        Feeds.Observation(id, code);

    private static JsonObject Gm1Quantity(decimal value, string? comparator, decimal high, string rangeUnit = "[arb'U]/mL")
    {
        var o = Gm1(Feeds.Concept(Terminology.Loinc, Terminology.LoincAntiGm1IgM));
        var quantity = Feeds.Quantity(value, "[arb'U]/mL").AsObject();
        if (comparator is not null)
        {
            quantity["comparator"] = comparator;
        }

        o["valueQuantity"] = quantity;
        o["referenceRange"] = new JsonArray(new JsonObject { ["high"] = Feeds.Quantity(high, rangeUnit) });
        return o;
    }

    private static JsonObject WithInterpretation(JsonObject o, params string[] codes)
    {
        o["interpretation"] = new JsonArray([.. codes.Select(code => Feeds.Concept(Terminology.ObservationInterpretation, code))]);
        return o;
    }

    private static JsonObject Titre(decimal dilution, string limit)
    {
        var o = Gm1(Feeds.Concept(Contract.MmnLab, "anti-gm1-igm-titre"));
        o["valueRatio"] = new JsonObject
        {
            ["numerator"] = new JsonObject { ["value"] = 1 },
            ["denominator"] = new JsonObject { ["value"] = dilution },
        };
        o["referenceRange"] = new JsonArray(new JsonObject { ["text"] = limit });
        return o;
    }

    private static JsonObject TitreString(string value, string limit)
    {
        var o = Gm1(Feeds.Concept(Contract.MmnLab, "anti-gm1-igm-titre"));
        o["valueString"] = value;
        o["referenceRange"] = new JsonArray(new JsonObject { ["text"] = limit });
        return o;
    }

    private static JsonObject Presence(string snomed)
    {
        var o = Gm1(Feeds.Concept(Contract.MmnLab, "anti-gm1-igm-presence"));
        o["valueCodeableConcept"] = Feeds.Concept(Terminology.Snomed, snomed);
        return o;
    }

    [Theory]
    [InlineData(1, "mo", false)]
    [InlineData(31, "d", true)]
    [InlineData(30, "d", false)]
    [InlineData(5, "wk", true)]
    [InlineData(1, "a", true)]
    public void Weakness_duration_in_any_time_unit_is_compared_with_one_month_exactly(decimal value, string unit, bool overOneMonth)
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(11)["valueQuantity"] = Feeds.Quantity(value, unit);

        var assessment = MmnClassifier.Classify(Evidence(bundle).Evidence);

        var criterion = assessment.Criteria.Single(c => c.Id == CriterionId.WeaknessOverOneMonth);
        Assert.Equal(overOneMonth ? CriterionStatus.Met : CriterionStatus.NotMet, criterion.Status);
    }

    [Theory]
    [InlineData(62, "mg/dL", null, true)]
    [InlineData(0.45, "g/L", null, false)]
    [InlineData(0.5, "g/L", 0.6, false)]
    [InlineData(1.0, "g/L", null, false)]
    public void Csf_protein_is_raised_above_the_lab_limit_and_below_one_gram(decimal value, string unit, double? high, bool met)
    {
        var bundle = Feeds.Load(Feeds.Definite);
        var csf = Feeds.Clinical("csf-1", "csf-protein", "valueQuantity", Feeds.Quantity(value, unit));
        csf["subject"] = new JsonObject { ["reference"] = "Patient/pat-example-definite-ulnar-forearm" };
        if (high is { } h)
        {
            csf["referenceRange"] = new JsonArray(new JsonObject { ["high"] = Feeds.Quantity((decimal)h, "g/L") });
        }

        bundle["entry"]!.AsArray().Add(new JsonObject { ["fullUrl"] = "https://ehr.example.org/fhir/Observation/csf-1", ["resource"] = csf });

        var criterion = MmnClassifier.Classify(Evidence(bundle).Evidence).Criteria.Single(c => c.Id == CriterionId.CsfProteinRaised);

        Assert.Equal(met ? CriterionStatus.Met : CriterionStatus.NotMet, criterion.Status);
    }

    [Theory]
    [InlineData("preliminary")]
    [InlineData("registered")]
    [InlineData("cancelled")]
    [InlineData("unknown")]
    public void Results_that_are_not_final_are_kept_but_not_used(string status)
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(2)["status"] = status;

        var evidence = Evidence(bundle);

        var notUsed = Assert.Single(evidence.NotUsed);
        Assert.Contains(status, notUsed.Reason, StringComparison.Ordinal);
        Assert.Equal(2, evidence.Evidence.MotorStudies.Single(s => s.Nerve == MotorNerve.Ulnar).Sites.Count);
    }

    [Theory]
    [InlineData("amended")]
    [InlineData("corrected")]
    public void Amended_and_corrected_results_are_used(string status)
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(2)["status"] = status;

        Assert.Empty(Evidence(bundle).NotUsed);
    }

    [Fact]
    public void The_patient_is_keyed_by_identifier_when_the_patient_entry_has_one()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(0)["identifier"] = new JsonArray(new JsonObject { ["system"] = "https://ehr.example.org/sid/mrn", ["value"] = "123" });

        var patient = bundle.Read().Accepted().Patient;

        Assert.Equal("identifier|https://ehr.example.org/sid/mrn|123", patient.Key);
        Assert.Equal("pat-example-definite-ulnar-forearm", patient.ResourceId);
    }

    [Fact]
    public void The_patient_is_keyed_by_reference_without_an_identifier()
    {
        var patient = Feeds.Load(Feeds.Definite).Read().Accepted().Patient;

        Assert.Equal("Patient/pat-example-definite-ulnar-forearm", patient.Key);
        Assert.Equal("https://ehr.example.org/fhir", patient.ServerBase);
    }

    [Fact]
    public void A_configured_identifier_system_picks_the_patient_key()
    {
        var bundle = Feeds.Load(Feeds.Definite);
        bundle.Entry(0)["identifier"] = new JsonArray(
            new JsonObject { ["system"] = "https://ehr.example.org/sid/visit", ["value"] = "v1" },
            new JsonObject { ["system"] = "https://ehr.example.org/sid/mrn", ["value"] = "123" });

        var patient = bundle.Read(new FeedReaderOptions { PatientIdentifierSystem = "https://ehr.example.org/sid/mrn" }).Accepted().Patient;

        Assert.Equal("identifier|https://ehr.example.org/sid/mrn|123", patient.Key);
    }

    [Fact]
    public void Results_the_server_does_not_hold_keep_their_json_for_the_write_back()
    {
        var observations = Feeds.Load(Feeds.PeronealTransaction).Read().Accepted().Observations;

        Assert.All(observations, o =>
        {
            Assert.False(o.Identity.OnServer);
            Assert.NotNull(o.Json);
            Assert.StartsWith("identifier|https://ehr.example.org/sid/result|", o.Identity.Key, StringComparison.Ordinal);
        });
    }
}
