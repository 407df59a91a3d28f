// External code systems
Alias: $loinc = http://loinc.org
Alias: $sct = http://snomed.info/sct
Alias: $ucum = http://unitsofmeasure.org
Alias: $v2-0074 = http://terminology.hl7.org/CodeSystem/v2-0074
Alias: $provenance-participant-type = http://terminology.hl7.org/CodeSystem/provenance-participant-type
Alias: $observation-category = http://terminology.hl7.org/CodeSystem/observation-category
Alias: $plan-definition-type = http://terminology.hl7.org/CodeSystem/plan-definition-type
Alias: $v3-ObservationInterpretation = http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation

// FhirMmn code systems (docs/feed-contract.md)
Alias: $ncs = http://fhirmmn.org/fhir/CodeSystem/ncs
Alias: $nerve = http://fhirmmn.org/fhir/CodeSystem/nerve
Alias: $stimulation-site = http://fhirmmn.org/fhir/CodeSystem/stimulation-site
Alias: $mmn-clinical = http://fhirmmn.org/fhir/CodeSystem/mmn-clinical
Alias: $mmn-lab = http://fhirmmn.org/fhir/CodeSystem/mmn-lab
Alias: $mmn-category = http://fhirmmn.org/fhir/CodeSystem/mmn-category
Alias: $mmn-basis = http://fhirmmn.org/fhir/CodeSystem/mmn-basis
Alias: $mmn-report = http://fhirmmn.org/fhir/CodeSystem/mmn-report

// Identifier systems the service writes (docs/write-back.md)
Alias: $sid-assessment = http://fhirmmn.org/fhir/sid/assessment
Alias: $sid-care-plan = http://fhirmmn.org/fhir/sid/care-plan
Alias: $sid-classifier = http://fhirmmn.org/fhir/sid/classifier

Alias: $plan-mmn = http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010
