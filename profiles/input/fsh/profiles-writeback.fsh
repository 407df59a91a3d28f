// What the service writes back in one transaction (docs/write-back.md).

RuleSet: IdentifierSlice(sliceName, system)
* identifier 1..* MS
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier ^slicing.description = "The service's identifier is told apart by its system."
* identifier contains {sliceName} 1..1 MS
* identifier[{sliceName}].system 1..1
* identifier[{sliceName}].system = "{system}" (exactly)
* identifier[{sliceName}].value 1..1

Profile: MmnDiagnosticReport
Parent: DiagnosticReport
Id: mmn-diagnostic-report
Title: "FhirMmn MMN assessment report"
Description: "The service's assessment of one patient against the EFNS/PNS 2010 criteria: what was found per nerve, the category and its basis as conclusion codes, the per-segment table and criteria checklist as narrative. Machine output, so preliminary unless the feed opts into final reports; a re-assessment is a new version of the same report (found by its identifier). The classifier is not a performer: it appears in Provenance."
* obeys mmn-dr-1 and mmn-dr-2 and mmn-dr-3 and mmn-dr-4
* insert IdentifierSlice(assessment, http://fhirmmn.org/fhir/sid/assessment)
* identifier[assessment] ^short = "Opaque hash of feed, patient and assessment episode"
* status MS
* status from MmnReportStatusVS (required)
* status ^short = "preliminary (default) | final | amended (feeds that opt into final reports) | entered-in-error (withdrawn: same person as another record)"
* category 1..* MS
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category contains electroneuro 1..1 MS
* category[electroneuro] = $v2-0074#EN
* category[electroneuro] ^short = "v2-0074 EN (Electroneuro)"
* code MS
* code.coding 2..* MS
* code.coding ^slicing.discriminator.type = #pattern
* code.coding ^slicing.discriminator.path = "$this"
* code.coding ^slicing.rules = #open
* code.coding contains loinc 1..1 MS and mmn 1..1 MS
* code.coding[loinc] = $loinc#51848-0
* code.coding[loinc] ^short = "LOINC 51848-0 Evaluation note"
* code.coding[mmn] = $mmn-report#mmn-assessment
* subject 1..1 MS
* subject only Reference(Patient)
* effective[x] 1..1 MS
* effective[x] only dateTime
* effective[x] ^short = "The newest input's date"
* issued 1..1 MS
* issued ^short = "When the assessment was made (injected clock; the CLI uses the newest input's time)"
* performer 0..0
* result MS
* result only Reference(Observation)
* result ^short = "The Observations used (the newest version of each)"
* conclusion 1..1 MS
* conclusion ^short = "Plain-language summary; says \"if the clinical criteria are met\" when they were assumed"
* conclusionCode 2..* MS
* conclusionCode ^slicing.discriminator.type = #pattern
* conclusionCode ^slicing.discriminator.path = "$this"
* conclusionCode ^slicing.rules = #open
* conclusionCode ^slicing.description = "Category, basis and diagnosis are separate CodeableConcepts (codings inside one CodeableConcept are equivalents)."
* conclusionCode contains category 1..1 MS and basis 1..1 MS and diagnosis 0..1 MS
* conclusionCode[category] from MmnCategoryVS (required)
* conclusionCode[category] ^patternCodeableConcept.coding[0].system = $mmn-category
* conclusionCode[category] ^short = "definite | probable | possible | criteria-not-met | insufficient-data"
* conclusionCode[basis] from MmnBasisVS (required)
* conclusionCode[basis] ^patternCodeableConcept.coding[0].system = $mmn-basis
* conclusionCode[basis] ^short = "clinical-criteria-provided | clinical-criteria-assumed"
* conclusionCode[diagnosis] = $sct#230591002
* conclusionCode[diagnosis] ^short = "Only for definite or probable with clinical-criteria-provided"
* text 1..1 MS
* text.status = #additional
* text ^short = "Per-segment table (nerve, side, segment, area reduction, duration increase, grade, why) and criteria checklist; no active content"

Profile: MmnCarePlan
Parent: CarePlan
Id: mmn-careplan
Title: "FhirMmn guideline-based care plan proposal"
Description: "A proposal derived from the EFNS/PNS 2010 guideline (PlanDefinition mmn-efns-pns-2010) for the category of the FhirMmn report. Activities depend on the category: definite and probable get treatment (IVIg induction and maintenance, SCIg alternative), monitoring, follow-up, supportive physiotherapy and the two do-not-perform activities; possible gets confirmation tests and an IVIg trial at the specialist's discretion; insufficient-data gets only the tests that would decide; criteria-not-met gets a neuromuscular referral and the differential work-up. Draft unless the feed opts into active. The identifier is the report's value plus a generation number; when a clinician has changed the plan, the next generation replaces it."
* obeys mmn-cp-1 and mmn-cp-2
* insert IdentifierSlice(careplan, http://fhirmmn.org/fhir/sid/care-plan)
* identifier[careplan] ^short = "The report's identifier value plus a generation number"
* instantiatesCanonical 1..* MS
* instantiatesCanonical ^short = "http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|{version}"
* replaces MS
* replaces only Reference(CarePlan)
* replaces ^short = "The previous generation, when a clinician changed it"
* status MS
* status from MmnCarePlanStatusVS (required)
* status ^short = "draft (default) | active (feeds whose EHR hides drafts) | entered-in-error (the plan of a withdrawn report)"
* intent MS
* intent = #proposal
* subject MS
* subject only Reference(Patient)
* addresses 0..0
* addresses ^short = "Not used: addresses takes a Condition; the report is in supportingInfo"
* supportingInfo 1..* MS
* supportingInfo only Reference(DiagnosticReport)
* supportingInfo ^short = "The FhirMmn report"
* activity 1..* MS
* activity.detail 1..1 MS
* activity.detail obeys mmn-cp-3 and mmn-cp-4 and mmn-cp-5 and mmn-cp-6 and mmn-cp-7
* activity.detail.kind 1..1 MS
* activity.detail.code MS
* activity.detail.code from MmnCarePlanActivityVS (required)
* activity.detail.code ^short = "An mmn-report code, where one is verified"
* activity.detail.reasonReference 1..* MS
* activity.detail.reasonReference only Reference(DiagnosticReport)
* activity.detail.reasonReference ^short = "The FhirMmn report"
* activity.detail.status MS
* activity.detail.status = #not-started
* activity.detail.doNotPerform MS
* activity.detail.doNotPerform ^short = "true for corticosteroids and plasma exchange (the description then says \"Do not\")"
* activity.detail.description 1..1 MS
* activity.detail.description ^short = "What to do, with the dose"

Profile: MmnClassifierDevice
Parent: Device
Id: mmn-classifier-device
Title: "FhirMmn classifier"
Description: "The FhirMmn classifier as a Device, with its software version and the version of the criteria it implements. Created with ifNoneExist on its identifier; Provenance names it as the author."
* insert IdentifierSlice(classifier, http://fhirmmn.org/fhir/sid/classifier)
* deviceName 1..* MS
* deviceName.name MS
* deviceName.type MS
* version 2..* MS
* version ^slicing.discriminator.type = #pattern
* version ^slicing.discriminator.path = "type"
* version ^slicing.rules = #open
* version ^slicing.description = "Version entries are told apart by type.text: software or criteria."
* version contains software 1..1 MS and criteria 1..1 MS
* version.type 1..1 MS
* version.value MS
* version[software].type ^patternCodeableConcept.text = "software"
* version[software] ^short = "Version of the FhirMmn classifier software"
* version[criteria].type ^patternCodeableConcept.text = "criteria"
* version[criteria] ^short = "Version of the criteria implemented (EFNS/PNS 2010 criteria version)"

Profile: MmnProvenance
Parent: Provenance
Id: mmn-provenance
Title: "FhirMmn assessment provenance"
Description: "Provenance of one assessment: the report and the care plan as targets, the classifier Device as author, each input Observation as a source entity (version-specific where known), and the PlanDefinition as policy. The Provenance of a withdrawal targets the withdrawn report (and its plan, unless a clinician changed it), with activity v3-DataOperation NULLIFY and reason v3-ActReason RECORDMGT saying why, and no entity."
* obeys mmn-prov-1 and mmn-prov-3 and mmn-prov-4
* target 1..* MS
* target only Reference(DiagnosticReport or CarePlan)
* target ^short = "The FhirMmn report and care plan (a withdrawal: the withdrawn report, and its plan unless a clinician changed it)"
* recorded MS
* recorded ^short = "From the injected clock; the CLI uses the newest input's time"
* policy 1..* MS
* policy ^short = "http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010 (versioned)"
* agent 1..* MS
* agent obeys mmn-prov-2
* agent ^short = "The classifier Device, as author (type provenance-participant-type#author)"
* agent.type MS
* agent.who MS
* entity MS
* entity.role = #source
* entity.what only Reference(Observation)
* entity.what ^short = "An input Observation, version-specific where known"
