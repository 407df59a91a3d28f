// What hospitals send (docs/feed-contract.md), as the service reads it (src/FhirMmn.Fhir/Extraction):
// the profiles accept what the service accepts and, where FHIRPath can say it, refuse what it refuses.
// What places a result (patient, date, nerve, side, site, which finding) is required; the measurements
// (area, duration, reference range) are optional, because a missing measurement is a missing-data
// finding the report names (see example-insufficient-no-area), not a broken message. Units: the one
// the feed contract (docs/feed-contract.md) names is preferred; the other UCUM units the service converts exactly are accepted.
// Every rule Medplum's validator does not read from the structure (choice types, slice contents,
// bindings, BackboneElements two levels down) is also an invariant, so Medplum enforces it too.

RuleSet: FeedObservation
* obeys mmn-obs-1
* modifierExtension 0..0
* modifierExtension ^short = "Not accepted: the service refuses results it cannot read safely"
* status MS
* code MS
* subject 1..1 MS
* subject only Reference(Patient)
* subject ^short = "The patient (a reference, or an identifier); all results of one feed bundle are of one patient"
* effective[x] MS
* effective[x] ^short = "When the result was obtained: effectiveDateTime, effectivePeriod.start or effectiveInstant (else issued)"
* issued MS
* identifier MS
* identifier ^short = "Required when the entry's fullUrl is not the hospital server's RESTful URL (see mmn-feed-bundle)"

RuleSet: UcumCoded(path)
* {path}.value 1..1
* {path}.system 1..1
* {path}.system = $ucum
* {path}.code 1..1

RuleSet: NcsComponentSlicing
* component.modifierExtension 0..0
* component ^slicing.discriminator.type = #pattern
* component ^slicing.discriminator.path = "code"
* component ^slicing.rules = #open
* component ^slicing.description = "Components are told apart by their code from the FhirMmn ncs code system."

RuleSet: LateralityComponent
* component[laterality] ^short = "The side: SNOMED CT 7771000 Left | 24028007 Right"
* component[laterality].code = $ncs#laterality
* component[laterality].value[x] 1..1 MS
* component[laterality].value[x] only CodeableConcept
* component[laterality].valueCodeableConcept from MmnLateralityVS (required)

Profile: MmnCmapObservation
Parent: Observation
Id: mmn-cmap-observation
Title: "FhirMmn CMAP at one stimulation site"
Description: "A compound muscle action potential (CMAP) of one motor nerve on one side, stimulated at one site: the negative-peak amplitude as the value, the lower limit of normal of the amplitude in referenceRange.low, and the stimulation site, side, negative-peak area and duration (and optionally the onset latency) as components. The sites of one nerve and side make a study: grouped by partOf (a Procedure) or a hasMember panel when present, else by nerve, side and effective day."
* insert FeedObservation
* obeys mmn-obs-2 and mmn-cmap-1 and mmn-cmap-2 and mmn-cmap-3 and mmn-cmap-4 and mmn-cmap-5
* code = $loinc#98713-1
* code ^short = "LOINC 98713-1 Compound muscle action potential amplitude Muscle"
* value[x] MS
* value[x] only Quantity
* value[x] ^short = "Negative-peak amplitude of the CMAP, in mV (uV, V accepted); or a dataAbsentReason"
* insert UcumCoded(valueQuantity)
* bodySite 1..1 MS
* bodySite from MmnMotorNerveVS (required)
* bodySite ^short = "The nerve (FhirMmn nerve code system)"
* referenceRange MS
* referenceRange.low MS
* referenceRange.low ^short = "Lower limit of normal of the amplitude, in mV (uV, V accepted)"
* component 2..* MS
* component obeys mmn-ncs-1 and mmn-ncs-2 and mmn-ncs-3 and mmn-ncs-4 and mmn-ncs-5
* insert NcsComponentSlicing
* component contains
    stimulation-site 1..1 MS and
    laterality 1..1 MS and
    cmap-area 0..1 MS and
    cmap-duration 0..1 MS and
    onset-latency 0..1 MS
* component[stimulation-site] ^short = "Where the nerve was stimulated"
* component[stimulation-site].code = $ncs#stimulation-site
* component[stimulation-site].value[x] 1..1 MS
* component[stimulation-site].value[x] only CodeableConcept
* component[stimulation-site].valueCodeableConcept from MmnStimulationSiteVS (required)
* insert LateralityComponent
* component[cmap-area] ^short = "Negative-peak area of the CMAP, in mV.ms (uV.ms, mV.s accepted)"
* component[cmap-area].code = $ncs#cmap-area
* component[cmap-area].value[x] MS
* component[cmap-area].value[x] only Quantity
* insert UcumCoded(component[cmap-area].valueQuantity)
* component[cmap-duration] ^short = "Negative-peak duration of the CMAP, in ms (s, us accepted)"
* component[cmap-duration].code = $ncs#cmap-duration
* component[cmap-duration].value[x] MS
* component[cmap-duration].value[x] only Quantity
* insert UcumCoded(component[cmap-duration].valueQuantity)
* component[onset-latency] ^short = "Onset latency of the CMAP, in ms (s, us accepted)"
* component[onset-latency].code = $ncs#onset-latency
* component[onset-latency].value[x] MS
* component[onset-latency].value[x] only Quantity
* insert UcumCoded(component[onset-latency].valueQuantity)

Profile: MmnSnapObservation
Parent: Observation
Id: mmn-snap-observation
Title: "FhirMmn SNAP amplitude"
Description: "The sensory nerve action potential (SNAP) amplitude of one sensory nerve on one side, with the lower limit of normal in referenceRange.low, and optionally the stimulation site: none or the wrist is the distal SNAP (for the lateral antebrachial cutaneous nerve also the elbow); a more proximal site makes a segmental SNAP, which shows whether sensory conduction crosses a conduction block at or distal to that site. The code is ncs#snap-amplitude, optionally together with LOINC 98698-4 (the service also reads LOINC 98698-4 alone)."
* insert FeedObservation
* obeys mmn-obs-2 and mmn-snap-1 and mmn-snap-2 and mmn-snap-3 and mmn-snap-4 and mmn-snap-5 and mmn-snap-6
* code.coding 1..* MS
* code.coding ^slicing.discriminator.type = #pattern
* code.coding ^slicing.discriminator.path = "$this"
* code.coding ^slicing.rules = #open
* code.coding ^slicing.description = "The FhirMmn code, the LOINC code, or both (mmn-snap-5)."
* code.coding contains snap-amplitude 0..1 MS and loinc 0..1 MS
* code.coding[snap-amplitude] = $ncs#snap-amplitude
* code.coding[loinc] = $loinc#98698-4
* value[x] MS
* value[x] only Quantity
* value[x] ^short = "SNAP amplitude, in uV (mV, nV accepted); or a dataAbsentReason"
* insert UcumCoded(valueQuantity)
* bodySite 1..1 MS
* bodySite from MmnSensoryNerveVS (required)
* bodySite ^short = "The nerve (FhirMmn nerve code system)"
* referenceRange MS
* referenceRange.low MS
* referenceRange.low ^short = "Lower limit of normal of the SNAP amplitude, in uV (mV, nV accepted)"
* component 1..* MS
* component obeys mmn-ncs-1 and mmn-ncs-2
* insert NcsComponentSlicing
* component contains laterality 1..1 MS and stimulation-site 0..1 MS
* insert LateralityComponent
* component[stimulation-site] ^short = "Where the nerve was stimulated: absent or wrist for the distal SNAP, a proximal site for a segmental SNAP"
* component[stimulation-site].code = $ncs#stimulation-site
* component[stimulation-site].value[x] 1..1 MS
* component[stimulation-site].value[x] only CodeableConcept
* component[stimulation-site].valueCodeableConcept from MmnStimulationSiteVS (required)

Profile: MmnAntiGm1Observation
Parent: Observation
Id: mmn-anti-gm1-observation
Title: "FhirMmn IgM anti-GM1 antibodies"
Description: "Serum IgM antibodies against ganglioside GM1, in one of three forms told apart by the code: LOINC 51703-7 with valueQuantity (any UCUM unit; a comparator is honoured) and referenceRange.high in the same unit; mmn-lab#anti-gm1-igm-titre with valueRatio 1:N (valueString \"1:N\" tolerated) and referenceRange.text \"<= 1:N\" or \"< 1:N\"; mmn-lab#anti-gm1-igm-presence with valueCodeableConcept SNOMED CT 10828004 Positive or 260385009 Negative. When present, interpretation decides: raised = H, HH, HU, A, POS; not raised = N, NEG, L; equivocal = E, IND (reported as equivocal, neither raised nor not raised). A result that cannot be interpreted counts as not provided, and the report says so."
* insert FeedObservation
* obeys mmn-gm1-1 and mmn-gm1-2 and mmn-gm1-3 and mmn-gm1-4 and mmn-gm1-5 and mmn-gm1-6 and mmn-gm1-7
* code from MmnAntiGm1CodeVS (required)
* code ^short = "LOINC 51703-7 | mmn-lab#anti-gm1-igm-titre | mmn-lab#anti-gm1-igm-presence"
* value[x] 1..1 MS
* value[x] only Quantity or Ratio or string or CodeableConcept
* value[x] ^short = "Quantity (LOINC 51703-7) | Ratio 1:N or string \"1:N\" (titre) | Positive/Negative (presence)"
* interpretation MS
* interpretation ^short = "Decides when present: H, HH, HU, A, POS raised; N, NEG, L not raised; E, IND equivocal"
* referenceRange MS
* referenceRange.high MS
* referenceRange.high ^short = "Upper limit of normal (quantity form), in the unit of the value"
* referenceRange.text MS
* referenceRange.text ^short = "\"<= 1:N\" or \"< 1:N\" (titre form)"

Profile: MmnClinicalFindingObservation
Parent: Observation
Id: mmn-clinical-finding-observation
Title: "FhirMmn clinical finding"
Description: "One clinical finding used by the EFNS/PNS 2010 criteria, coded from the FhirMmn mmn-clinical code system: weakness-nerve-count (valueInteger, 0 or more), weakness-duration (valueQuantity in mo; a, wk, d accepted), csf-protein (valueQuantity in g/L; mg/dL, mg/L, g/dL accepted), and the findings objective-sensory-loss, upper-motor-neuron-signs, marked-bulbar-involvement, diffuse-symmetric-weakness-early, ivig-response, mri-plexus-t2-hyperintensity (valueBoolean); or a dataAbsentReason. Clinical findings are optional; missing ones are assumed favourable and named in the report."
* insert FeedObservation
* obeys mmn-obs-2 and mmn-clin-1 and mmn-clin-2 and mmn-clin-3 and mmn-clin-4 and mmn-clin-5
* code from MmnClinicalVS (required)
* code ^short = "A code from the FhirMmn mmn-clinical code system"
* value[x] MS
* value[x] only integer or Quantity or boolean

Profile: MmnFeedBundle
Parent: Bundle
Id: mmn-feed-bundle
Title: "FhirMmn feed bundle"
Description: "What a hospital sends: a Bundle of type collection, transaction, batch or message (document and searchset are read too) whose entries include the FhirMmn Observations (CMAP, SNAP, anti-GM1, clinical findings) of one patient, and usually that Patient. Other entries (a MessageHeader, a Procedure that groups a study, Observations FhirMmn does not use such as conduction velocities) are allowed and ignored. Each Observation is checked against the FhirMmn profile its code selects (scripts/validate-profile.mjs does this for a whole bundle). The patient key is the feed plus the Patient's identifier when the Patient entry has one, else the subject reference normalised to Patient/{id}."
* obeys mmn-bundle-1 and mmn-bundle-2 and mmn-bundle-3 and mmn-bundle-4 and mmn-bundle-5 and mmn-bundle-6 and mmn-bundle-7
* type MS
* type from MmnFeedBundleTypeVS (required)
* entry 1..* MS
* entry.fullUrl MS
* entry.fullUrl ^short = "The hospital server's RESTful URL of the resource; otherwise (e.g. a urn:uuid) the Observation needs an identifier"
* entry.resource MS
