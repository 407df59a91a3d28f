// Examples of the feed profiles. The three shared example bundles (input/examples/*.json, copied from
// the shared examples) are examples of mmn-feed-bundle too; they carry no meta.profile.

RuleSet: ExamplePatient
* subject = Reference(Patient/pat-example-mmn)
* effectiveDateTime = "2026-10-14"

RuleSet: UcumValue(value, unit)
* valueQuantity = {value} '{unit}' "{unit}"

Instance: cmap-ulnar-left-wrist
InstanceOf: MmnCmapObservation
Usage: #example
Title: "CMAP, left ulnar nerve, wrist"
Description: "A CMAP with every component, onset latency included."
* status = #final
* category = $observation-category#procedure
* insert ExamplePatient
* bodySite = $nerve#ulnar "Ulnar nerve"
* insert UcumValue(10.2, mV)
* referenceRange.low = 6.0 'mV' "mV"
* component[stimulation-site].valueCodeableConcept = $stimulation-site#wrist "Wrist"
* component[laterality].valueCodeableConcept = $sct#7771000 "Left"
* component[cmap-area].valueQuantity = 26.0 'mV.ms' "mV.ms"
* component[cmap-duration].valueQuantity = 5.9 'ms' "ms"
* component[onset-latency].valueQuantity = 2.8 'ms' "ms"

Instance: cmap-ulnar-left-below-elbow
InstanceOf: MmnCmapObservation
Usage: #example
Title: "CMAP, left ulnar nerve, below elbow"
Description: "The next site of the same study, grouped with the wrist site by partOf (the study Procedure)."
* status = #final
* category = $observation-category#procedure
* partOf = Reference(Procedure/ncs-study-example)
* insert ExamplePatient
* bodySite = $nerve#ulnar "Ulnar nerve"
* insert UcumValue(3.1, mV)
* referenceRange.low = 6.0 'mV' "mV"
* component[stimulation-site].valueCodeableConcept = $stimulation-site#below-elbow "Below elbow"
* component[laterality].valueCodeableConcept = $sct#7771000 "Left"
* component[cmap-area].valueQuantity = 9.8 'mV.ms' "mV.ms"
* component[cmap-duration].valueQuantity = 6.4 'ms' "ms"

Instance: snap-ulnar-left
InstanceOf: MmnSnapObservation
Usage: #example
Title: "SNAP, left ulnar nerve"
Description: "A SNAP amplitude coded with the FhirMmn code and LOINC 98698-4."
* status = #final
* category = $observation-category#procedure
* insert ExamplePatient
* code.coding[snap-amplitude] = $ncs#snap-amplitude "SNAP amplitude"
* code.coding[loinc] = $loinc#98698-4
* bodySite = $nerve#ulnar "Ulnar nerve"
* insert UcumValue(19, uV)
* referenceRange.low = 10 'uV' "uV"
* component[laterality].valueCodeableConcept = $sct#7771000 "Left"

Instance: snap-median-right-loinc-only
InstanceOf: MmnSnapObservation
Usage: #example
Title: "SNAP coded with LOINC only, amplitude in mV"
Description: "The service also reads a SNAP coded with LOINC 98698-4 alone, and converts mV to uV exactly; ncs#snap-amplitude and uV are preferred."
* status = #final
* category = $observation-category#procedure
* insert ExamplePatient
* code.coding[loinc] = $loinc#98698-4
* bodySite = $nerve#median "Median nerve"
* valueQuantity = 0.028 'mV' "mV"
* referenceRange.low = 15 'uV' "uV"
* component[laterality].valueCodeableConcept = $sct#24028007 "Right"

Instance: snap-median-left-segmental-elbow
InstanceOf: MmnSnapObservation
Usage: #example
Title: "Segmental SNAP, left median nerve, stimulated at the elbow"
Description: "A segmental SNAP: the median nerve stimulated at the elbow and recorded at the digit, so that sensory conduction across a forearm conduction block can be judged when the distal (wrist) SNAP is low."
* status = #final
* category = $observation-category#procedure
* insert ExamplePatient
* code.coding[snap-amplitude] = $ncs#snap-amplitude "SNAP amplitude"
* bodySite = $nerve#median "Median nerve"
* insert UcumValue(14, uV)
* referenceRange.low = 10 'uV' "uV"
* component[laterality].valueCodeableConcept = $sct#7771000 "Left"
* component[stimulation-site].valueCodeableConcept = $stimulation-site#elbow "Elbow"

Instance: snap-lateral-antebrachial-cutaneous-right
InstanceOf: MmnSnapObservation
Usage: #example
Title: "SNAP, right lateral antebrachial cutaneous nerve"
Description: "The sensory branch of the musculocutaneous nerve: the SNAP held against a musculocutaneous conduction block."
* status = #final
* category = $observation-category#procedure
* insert ExamplePatient
* code.coding[snap-amplitude] = $ncs#snap-amplitude "SNAP amplitude"
* bodySite = $nerve#lateral-antebrachial-cutaneous "Lateral antebrachial cutaneous nerve"
* insert UcumValue(16, uV)
* referenceRange.low = 10 'uV' "uV"
* component[laterality].valueCodeableConcept = $sct#24028007 "Right"

Instance: anti-gm1-quantity
InstanceOf: MmnAntiGm1Observation
Usage: #example
Title: "Anti-GM1 IgM, quantitative"
Description: "LOINC 51703-7 with a quantity and the upper limit of normal in the same unit."
* status = #final
* category = $observation-category#laboratory
* insert ExamplePatient
* code = $loinc#51703-7 "Ganglioside GM1 IgM Ab [Units/volume] in Serum by Immunoassay"
* valueQuantity.value = 140
* valueQuantity.unit = "[arb'U]/mL"
* valueQuantity.system = $ucum
* valueQuantity.code = #"[arb'U]/mL"
* interpretation = $v3-ObservationInterpretation#H "High"
* referenceRange.high.value = 50
* referenceRange.high.unit = "[arb'U]/mL"
* referenceRange.high.system = $ucum
* referenceRange.high.code = #"[arb'U]/mL"

Instance: anti-gm1-quantity-comparator
InstanceOf: MmnAntiGm1Observation
Usage: #example
Title: "Anti-GM1 IgM, quantitative with a comparator"
Description: "A result below the lower limit of quantitation, in IU/mL."
* status = #final
* category = $observation-category#laboratory
* insert ExamplePatient
* code = $loinc#51703-7
* valueQuantity = 10 '[IU]/mL' "IU/mL"
* valueQuantity.comparator = #<
* referenceRange.high = 30 '[IU]/mL' "IU/mL"

Instance: anti-gm1-titre
InstanceOf: MmnAntiGm1Observation
Usage: #example
Title: "Anti-GM1 IgM, titre"
Description: "A titre 1:3200 as valueRatio, with the reference range as text."
* status = #final
* category = $observation-category#laboratory
* insert ExamplePatient
* code = $mmn-lab#anti-gm1-igm-titre "Ganglioside GM1 IgM antibody titre"
* valueRatio.numerator.value = 1
* valueRatio.denominator.value = 3200
* referenceRange.text = "<= 1:400"

Instance: anti-gm1-titre-string
InstanceOf: MmnAntiGm1Observation
Usage: #example
Title: "Anti-GM1 IgM, titre as a string"
Description: "The tolerated string form of a titre, with the interpretation that decides."
* status = #final
* category = $observation-category#laboratory
* insert ExamplePatient
* code = $mmn-lab#anti-gm1-igm-titre
* valueString = "1:200"
* interpretation = $v3-ObservationInterpretation#N "Normal"
* referenceRange.text = "< 1:400"

Instance: anti-gm1-presence
InstanceOf: MmnAntiGm1Observation
Usage: #example
Title: "Anti-GM1 IgM, qualitative"
Description: "A positive qualitative result."
* status = #final
* category = $observation-category#laboratory
* insert ExamplePatient
* code = $mmn-lab#anti-gm1-igm-presence "Ganglioside GM1 IgM antibody presence"
* valueCodeableConcept = $sct#10828004 "Positive"

Instance: clinical-weakness-nerve-count
InstanceOf: MmnClinicalFindingObservation
Usage: #example
Title: "Clinical finding: weakness in two nerves"
Description: "weakness-nerve-count as valueInteger."
* status = #final
* category = $observation-category#exam
* insert ExamplePatient
* code = $mmn-clinical#weakness-nerve-count "Number of nerves with weakness"
* valueInteger = 2

Instance: clinical-weakness-duration
InstanceOf: MmnClinicalFindingObservation
Usage: #example
Title: "Clinical finding: weakness for 22 months"
Description: "weakness-duration as valueQuantity in months."
* status = #final
* category = $observation-category#exam
* insert ExamplePatient
* code = $mmn-clinical#weakness-duration "Duration of weakness"
* valueQuantity = 22 'mo' "mo"

Instance: clinical-weakness-duration-years
InstanceOf: MmnClinicalFindingObservation
Usage: #example
Title: "Clinical finding: weakness for more than 2 years, dated by issued"
Description: "weakness-duration in years with a comparator (the service converts a to months), dated by issued instead of effective[x]."
* status = #final
* category = $observation-category#exam
* subject = Reference(Patient/pat-example-mmn)
* issued = "2026-10-14T09:00:00Z"
* code = $mmn-clinical#weakness-duration "Duration of weakness"
* valueQuantity = 2 'a' "years"
* valueQuantity.comparator = #>

Instance: clinical-upper-motor-neuron-signs
InstanceOf: MmnClinicalFindingObservation
Usage: #example
Title: "Clinical finding: no upper motor neuron signs"
Description: "A boolean finding."
* status = #final
* category = $observation-category#exam
* insert ExamplePatient
* code = $mmn-clinical#upper-motor-neuron-signs "Upper motor neuron signs"
* valueBoolean = false

Instance: clinical-csf-protein
InstanceOf: MmnClinicalFindingObservation
Usage: #example
Title: "Clinical finding: CSF protein"
Description: "csf-protein as valueQuantity in g/L."
* status = #final
* category = $observation-category#laboratory
* insert ExamplePatient
* code = $mmn-clinical#csf-protein "CSF protein"
* valueQuantity = 0.62 'g/L' "g/L"

// A transaction feed whose entries have urn:uuid fullUrls: the Observations carry identifiers and the
// Patient carries the identifier that keys the patient.

Instance: feed-transaction-urn-uuid
InstanceOf: MmnFeedBundle
Usage: #example
Title: "Feed as a transaction with urn:uuid entries"
Description: "A transaction bundle with a Patient identifier and Observation identifiers, as needed when fullUrls are urn:uuid."
* type = #transaction
* entry[0].fullUrl = "urn:uuid:6f1d8a52-3c1e-4b7a-9d3f-2b8e5c7a9f01"
* entry[0].resource = feed-patient
* entry[0].request.method = #PUT
* entry[0].request.url = "Patient?identifier=urn:oid:1.2.3.4.5|MRN-000123"
* entry[1].fullUrl = "urn:uuid:6f1d8a52-3c1e-4b7a-9d3f-2b8e5c7a9f02"
* entry[1].resource = feed-cmap-median-right-wrist
* entry[1].request.method = #POST
* entry[1].request.url = "Observation"
* entry[1].request.ifNoneExist = "identifier=urn:oid:1.2.3.4.6|NCS-2026-0042-1"
* entry[2].fullUrl = "urn:uuid:6f1d8a52-3c1e-4b7a-9d3f-2b8e5c7a9f03"
* entry[2].resource = feed-cmap-median-right-elbow
* entry[2].request.method = #POST
* entry[2].request.url = "Observation"
* entry[2].request.ifNoneExist = "identifier=urn:oid:1.2.3.4.6|NCS-2026-0042-2"
* entry[3].fullUrl = "urn:uuid:6f1d8a52-3c1e-4b7a-9d3f-2b8e5c7a9f04"
* entry[3].resource = feed-snap-median-right
* entry[3].request.method = #POST
* entry[3].request.url = "Observation"
* entry[3].request.ifNoneExist = "identifier=urn:oid:1.2.3.4.6|NCS-2026-0042-3"

Instance: feed-patient
InstanceOf: Patient
Usage: #inline
* identifier.system = "urn:oid:1.2.3.4.5"
* identifier.value = "MRN-000123"
* gender = #female
* birthDate = "1968-05-11"

RuleSet: FeedEntryObservation(seq)
* identifier.system = "urn:oid:1.2.3.4.6"
* identifier.value = "NCS-2026-0042-{seq}"
* status = #final
* subject.reference = "urn:uuid:6f1d8a52-3c1e-4b7a-9d3f-2b8e5c7a9f01"
* effectiveDateTime = "2026-11-02T10:30:00+01:00"

Instance: feed-cmap-median-right-wrist
InstanceOf: MmnCmapObservation
Usage: #inline
* insert FeedEntryObservation(1)
* bodySite = $nerve#median
* valueQuantity = 8.4 'mV' "mV"
* referenceRange.low = 4.0 'mV' "mV"
* component[stimulation-site].valueCodeableConcept = $stimulation-site#wrist
* component[laterality].valueCodeableConcept = $sct#24028007 "Right"
* component[cmap-area].valueQuantity = 24.1 'mV.ms' "mV.ms"
* component[cmap-duration].valueQuantity = 5.2 'ms' "ms"

Instance: feed-cmap-median-right-elbow
InstanceOf: MmnCmapObservation
Usage: #inline
* insert FeedEntryObservation(2)
* bodySite = $nerve#median
* valueQuantity = 3.6 'mV' "mV"
* referenceRange.low = 4.0 'mV' "mV"
* component[stimulation-site].valueCodeableConcept = $stimulation-site#elbow
* component[laterality].valueCodeableConcept = $sct#24028007 "Right"
* component[cmap-area].valueQuantity = 10.3 'mV.ms' "mV.ms"
* component[cmap-duration].valueQuantity = 5.9 'ms' "ms"

Instance: feed-snap-median-right
InstanceOf: MmnSnapObservation
Usage: #inline
* insert FeedEntryObservation(3)
* code.coding[snap-amplitude] = $ncs#snap-amplitude
* bodySite = $nerve#median
* valueQuantity = 31 'uV' "uV"
* referenceRange.low = 15 'uV' "uV"
* component[laterality].valueCodeableConcept = $sct#24028007 "Right"
