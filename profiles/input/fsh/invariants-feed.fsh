// Invariants of the feed profiles, written after the service's reader (src/FhirMmn.Fhir/Extraction).
// Severity error unless stated. Units: the first one listed is the one the feed contract names; the others
// are the UCUM units the service converts exactly (Ucum.cs).

Invariant: mmn-obs-1
Description: "The result is dated: effectiveDateTime, effectivePeriod.start, effectiveInstant or issued."
Expression: "(effective.ofType(dateTime) | effective.ofType(instant) | effective.ofType(Period).start | issued).exists()"
Severity: #error

Invariant: mmn-obs-2
Description: "The result has a value, or a dataAbsentReason when there is none."
Expression: "value.exists() or dataAbsentReason.exists()"
Severity: #error

Invariant: mmn-cmap-1
Description: "The CMAP amplitude, when present, is a Quantity in mV (UCUM; uV and V are converted), not negative, without a comparator."
Expression: "value.empty() or value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and (code = 'mV' or code = 'uV' or code = 'V') and comparator.empty() and value >= 0).exists()"
Severity: #error

Invariant: mmn-cmap-2
Description: "bodySite carries exactly one code of the FhirMmn nerve code system, a motor nerve: median, ulnar, radial, musculocutaneous, peroneal or tibial."
Expression: "bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve').count() = 1 and bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve' and (code = 'median' or code = 'ulnar' or code = 'radial' or code = 'musculocutaneous' or code = 'peroneal' or code = 'tibial')).exists()"
Severity: #error

Invariant: mmn-cmap-3
Description: "referenceRange.low of a CMAP amplitude is in mV (UCUM; uV and V are converted)."
Expression: "referenceRange.low.all(system = 'http://unitsofmeasure.org' and (code = 'mV' or code = 'uV' or code = 'V'))"
Severity: #error

Invariant: mmn-cmap-4
Description: "The stimulation site is on the limb of the nerve: wrist to Erb's point for median, ulnar, radial and musculocutaneous; ankle to popliteal fossa for peroneal and tibial."
Expression: "(bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve' and (code = 'median' or code = 'ulnar' or code = 'radial' or code = 'musculocutaneous')).exists() implies component.where(code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'stimulation-site').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/stimulation-site' and (code = 'ankle' or code = 'below-fibular-head' or code = 'above-fibular-head' or code = 'popliteal-fossa')).empty()) and (bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve' and (code = 'peroneal' or code = 'tibial')).exists() implies component.where(code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'stimulation-site').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/stimulation-site' and (code = 'wrist' or code = 'below-elbow' or code = 'elbow' or code = 'above-elbow' or code = 'axilla' or code = 'erb-point')).empty())"
Severity: #error

Invariant: mmn-cmap-5
Description: "The ncs components of a CMAP are stimulation-site, laterality, cmap-area, cmap-duration and onset-latency."
Expression: "component.code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs').all(code = 'stimulation-site' or code = 'laterality' or code = 'cmap-area' or code = 'cmap-duration' or code = 'onset-latency')"
Severity: #error

Invariant: mmn-ncs-1
Description: "A stimulation-site component has a value from the FhirMmn stimulation-site code system."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'stimulation-site').exists() implies value.ofType(CodeableConcept).coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/stimulation-site' and (code = 'wrist' or code = 'below-elbow' or code = 'elbow' or code = 'above-elbow' or code = 'axilla' or code = 'erb-point' or code = 'ankle' or code = 'below-fibular-head' or code = 'above-fibular-head' or code = 'popliteal-fossa')).exists()"
Severity: #error

Invariant: mmn-ncs-2
Description: "A laterality component names one side: SNOMED CT 7771000 Left or 24028007 Right (419161000 Unilateral left and 419465000 Unilateral right read the same)."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'laterality').exists() implies (value.ofType(CodeableConcept).coding.where(system = 'http://snomed.info/sct' and (code = '7771000' or code = '419161000')).exists() xor value.ofType(CodeableConcept).coding.where(system = 'http://snomed.info/sct' and (code = '24028007' or code = '419465000')).exists())"
Severity: #error

Invariant: mmn-ncs-3
Description: "A cmap-area component value, when present, is a Quantity in mV.ms (UCUM; uV.ms and mV.s are converted), not negative, without a comparator."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'cmap-area').exists() implies (value.empty() or value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and (code = 'mV.ms' or code = 'uV.ms' or code = 'mV.s') and comparator.empty() and value >= 0).exists())"
Severity: #error

Invariant: mmn-ncs-4
Description: "A cmap-duration component value, when present, is a Quantity in ms (UCUM; s and us are converted), not negative, without a comparator."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'cmap-duration').exists() implies (value.empty() or value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and (code = 'ms' or code = 's' or code = 'us') and comparator.empty() and value >= 0).exists())"
Severity: #error

Invariant: mmn-ncs-5
Description: "An onset-latency component value, when present, is a Quantity in ms (UCUM; s and us are converted), not negative, without a comparator."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'onset-latency').exists() implies (value.empty() or value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and (code = 'ms' or code = 's' or code = 'us') and comparator.empty() and value >= 0).exists())"
Severity: #error

Invariant: mmn-snap-1
Description: "The SNAP amplitude, when present, is a Quantity in uV (UCUM; mV and nV are converted), not negative, without a comparator."
Expression: "value.empty() or value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and (code = 'uV' or code = 'mV' or code = 'nV') and comparator.empty() and value >= 0).exists()"
Severity: #error

Invariant: mmn-snap-2
Description: "bodySite carries exactly one code of the FhirMmn nerve code system, a sensory nerve: median, ulnar, radial, sural, superficial-peroneal or lateral-antebrachial-cutaneous."
Expression: "bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve').count() = 1 and bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve' and (code = 'median' or code = 'ulnar' or code = 'radial' or code = 'sural' or code = 'superficial-peroneal' or code = 'lateral-antebrachial-cutaneous')).exists()"
Severity: #error

Invariant: mmn-snap-3
Description: "referenceRange.low of a SNAP amplitude is in uV (UCUM; mV and nV are converted)."
Expression: "referenceRange.low.all(system = 'http://unitsofmeasure.org' and (code = 'uV' or code = 'mV' or code = 'nV'))"
Severity: #error

Invariant: mmn-snap-4
Description: "The ncs components of a SNAP are laterality and stimulation-site."
Expression: "component.code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs').all(code = 'laterality' or code = 'stimulation-site')"
Severity: #error

Invariant: mmn-snap-5
Description: "code carries ncs#snap-amplitude or LOINC 98698-4."
Expression: "code.coding.where((system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'snap-amplitude') or (system = 'http://loinc.org' and code = '98698-4')).exists()"
Severity: #error

Invariant: mmn-snap-6
Description: "The stimulation site of a SNAP, when given, is on the limb of the nerve: wrist to Erb's point for median, ulnar, radial and lateral-antebrachial-cutaneous; ankle to popliteal fossa for sural and superficial-peroneal."
Expression: "(bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve' and (code = 'median' or code = 'ulnar' or code = 'radial' or code = 'lateral-antebrachial-cutaneous')).exists() implies component.where(code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'stimulation-site').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/stimulation-site' and (code = 'ankle' or code = 'below-fibular-head' or code = 'above-fibular-head' or code = 'popliteal-fossa')).empty()) and (bodySite.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/nerve' and (code = 'sural' or code = 'superficial-peroneal')).exists() implies component.where(code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'stimulation-site').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/stimulation-site' and (code = 'wrist' or code = 'below-elbow' or code = 'elbow' or code = 'above-elbow' or code = 'axilla' or code = 'erb-point')).empty())"
Severity: #error

Invariant: mmn-gm1-1
Description: "code carries one of LOINC 51703-7, mmn-lab#anti-gm1-igm-titre or mmn-lab#anti-gm1-igm-presence."
Expression: "code.coding.where((system = 'http://loinc.org' and code = '51703-7') or (system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-lab' and (code = 'anti-gm1-igm-titre' or code = 'anti-gm1-igm-presence'))).exists()"
Severity: #error

Invariant: mmn-gm1-2
Description: "A LOINC 51703-7 result has a valueQuantity with a value and a UCUM unit (any); a comparator, if any, is <, <=, >= or >."
Expression: "code.coding.where(system = 'http://loinc.org' and code = '51703-7').exists() implies value.ofType(Quantity).where(value.exists() and system = 'http://unitsofmeasure.org' and code.exists() and (comparator.empty() or comparator = '<' or comparator = '<=' or comparator = '>=' or comparator = '>')).exists()"
Severity: #error

Invariant: mmn-gm1-3
Description: "referenceRange.high of a LOINC 51703-7 result is in the unit of the value; otherwise only the interpretation can tell whether it is raised."
Expression: "code.coding.where(system = 'http://loinc.org' and code = '51703-7').exists() implies ((value.ofType(Quantity).code | referenceRange.high.code).count() <= 1 and (value.ofType(Quantity).system | referenceRange.high.system).count() <= 1)"
Severity: #warning

Invariant: mmn-gm1-4
Description: "A titre result (mmn-lab#anti-gm1-igm-titre) has a valueRatio 1:N (N > 0) or a valueString \"1:N\"."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-lab' and code = 'anti-gm1-igm-titre').exists() implies (value.ofType(Ratio).where(numerator.value = 1 and denominator.value > 0).exists() or value.ofType(string).where(matches('^ *1 *: *[0-9]+([.][0-9]+)? *$')).exists())"
Severity: #error

Invariant: mmn-gm1-5
Description: "A presence result (mmn-lab#anti-gm1-igm-presence) has a valueCodeableConcept with SNOMED CT 10828004 Positive or 260385009 Negative (not both)."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-lab' and code = 'anti-gm1-igm-presence').exists() implies (value.ofType(CodeableConcept).coding.where(system = 'http://snomed.info/sct' and code = '10828004').exists() xor value.ofType(CodeableConcept).coding.where(system = 'http://snomed.info/sct' and code = '260385009').exists())"
Severity: #error

Invariant: mmn-gm1-6
Description: "The reference range of a titre result is written \"<= 1:N\" or \"< 1:N\"; otherwise only the interpretation can tell whether it is raised."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-lab' and code = 'anti-gm1-igm-titre').exists() implies referenceRange.text.all(matches('^ *(<=|<|≤) *1 *: *[0-9]+([.][0-9]+)? *$'))"
Severity: #warning

Invariant: mmn-gm1-7
Description: "The interpretation does not say both raised (H, HH, HU, A, POS) and not raised or equivocal (N, NEG, L; E, IND)."
Expression: "(interpretation.coding.where((system = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation' or system = 'http://terminology.hl7.org/CodeSystem/v2-0078') and (code = 'H' or code = 'HH' or code = 'HU' or code = 'A' or code = 'POS')).exists() and interpretation.coding.where((system = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation' or system = 'http://terminology.hl7.org/CodeSystem/v2-0078') and (code = 'N' or code = 'NEG' or code = 'L' or code = 'E' or code = 'IND')).exists()).not()"
Severity: #error

Invariant: mmn-clin-1
Description: "code carries a code from the FhirMmn mmn-clinical code system."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical' and (code = 'weakness-nerve-count' or code = 'weakness-duration' or code = 'objective-sensory-loss' or code = 'upper-motor-neuron-signs' or code = 'marked-bulbar-involvement' or code = 'diffuse-symmetric-weakness-early' or code = 'ivig-response' or code = 'mri-plexus-t2-hyperintensity' or code = 'csf-protein')).exists()"
Severity: #error

Invariant: mmn-clin-2
Description: "weakness-nerve-count, when it has a value, has a valueInteger of 0 or more."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical' and code = 'weakness-nerve-count').exists() implies (value.empty() or value.ofType(integer).where($this >= 0).exists())"
Severity: #error

Invariant: mmn-clin-3
Description: "weakness-duration, when it has a value, has a valueQuantity in months (UCUM mo; a, wk and d are converted), not negative."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical' and code = 'weakness-duration').exists() implies (value.empty() or value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and (code = 'mo' or code = 'a' or code = 'wk' or code = 'd') and (comparator.empty() or comparator = '<' or comparator = '<=' or comparator = '>=' or comparator = '>') and value >= 0).exists())"
Severity: #error

Invariant: mmn-clin-4
Description: "csf-protein, when it has a value, has a valueQuantity in g/L (UCUM; mg/dL, mg/L and g/dL are converted), not negative, and its referenceRange.high uses one of these units."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical' and code = 'csf-protein').exists() implies ((value.empty() or value.ofType(Quantity).where(system = 'http://unitsofmeasure.org' and (code = 'g/L' or code = 'mg/dL' or code = 'mg/L' or code = 'g/dL') and (comparator.empty() or comparator = '<' or comparator = '<=' or comparator = '>=' or comparator = '>') and value >= 0).exists()) and referenceRange.high.all(system = 'http://unitsofmeasure.org' and (code = 'g/L' or code = 'mg/dL' or code = 'mg/L' or code = 'g/dL')))"
Severity: #error

Invariant: mmn-clin-5
Description: "objective-sensory-loss, upper-motor-neuron-signs, marked-bulbar-involvement, diffuse-symmetric-weakness-early, ivig-response and mri-plexus-t2-hyperintensity, when they have a value, have a valueBoolean."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical' and (code = 'objective-sensory-loss' or code = 'upper-motor-neuron-signs' or code = 'marked-bulbar-involvement' or code = 'diffuse-symmetric-weakness-early' or code = 'ivig-response' or code = 'mri-plexus-t2-hyperintensity')).exists() implies (value.empty() or value is boolean)"
Severity: #error

// "A contract Observation" below: one whose code names a result of the feed contract
// (LOINC 98713-1, 98698-4, 51703-7, ncs#snap-amplitude, any mmn-lab or mmn-clinical code).

Invariant: mmn-bundle-1
Description: "The bundle type is collection, transaction, batch or message (document and searchset are read too)."
Expression: "type = 'collection' or type = 'transaction' or type = 'batch' or type = 'message' or type = 'document' or type = 'searchset'"
Severity: #error

Invariant: mmn-bundle-2
Description: "The bundle has at least one Observation of the feed contract (CMAP, SNAP, anti-GM1 IgM or clinical finding)."
Expression: "entry.resource.ofType(Observation).where(code.coding.where((system = 'http://loinc.org' and (code = '98713-1' or code = '98698-4' or code = '51703-7')) or (system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'snap-amplitude') or system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-lab' or system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical').exists()).exists()"
Severity: #error

Invariant: mmn-bundle-3
Description: "The bundle has at most one Patient."
Expression: "entry.resource.ofType(Patient).count() <= 1"
Severity: #error

Invariant: mmn-bundle-4
Description: "An Observation of the feed contract whose entry fullUrl is not a RESTful Observation URL (e.g. a urn:uuid) carries an identifier with system and value (the write-back creates it once, by that identifier)."
Expression: "entry.where(resource.ofType(Observation).code.coding.where((system = 'http://loinc.org' and (code = '98713-1' or code = '98698-4' or code = '51703-7')) or (system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'snap-amplitude') or system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-lab' or system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical').exists() and fullUrl.where(matches('^https?://.+/Observation/[A-Za-z0-9.-]{1,64}(/_history/[A-Za-z0-9.-]{1,64})?$')).empty()).all(resource.ofType(Observation).identifier.where(system.exists() and value.exists()).exists())"
Severity: #error

Invariant: mmn-bundle-5
Description: "An Observation subject that is a urn:uuid is the fullUrl of the bundle's Patient."
Expression: "entry.resource.ofType(Observation).subject.reference.where(startsWith('urn:uuid:')).all($this in %resource.entry.where(resource.ofType(Patient).exists()).fullUrl)"
Severity: #error

Invariant: mmn-bundle-6
Description: "All Observations reference the same patient (the service refuses bundles about more than one patient; references written differently for one patient are not told apart here)."
Expression: "entry.resource.ofType(Observation).subject.reference.distinct().count() <= 1"
Severity: #warning

Invariant: mmn-bundle-7
Description: "A Patient entry with a urn:uuid fullUrl carries an identifier with system and value (the patient key)."
Expression: "entry.where(fullUrl.startsWith('urn:uuid:') and resource.ofType(Patient).exists()).all(resource.ofType(Patient).identifier.where(system.exists() and value.exists()).exists())"
Severity: #error
