// Invariants of the write-back profiles. Severity error unless stated.

Invariant: mmn-dr-1
Description: "status is preliminary, final or amended; or entered-in-error for a report withdrawn when its patient record proved to be the same person as another."
Expression: "status = 'preliminary' or status = 'final' or status = 'amended' or status = 'entered-in-error'"
Severity: #error

Invariant: mmn-dr-2
Description: "conclusionCode has exactly one category from the FhirMmn mmn-category code system."
Expression: "conclusionCode.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-category' and (code = 'definite' or code = 'probable' or code = 'possible' or code = 'criteria-not-met' or code = 'insufficient-data')).count() = 1 and conclusionCode.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-category').count() = 1"
Severity: #error

Invariant: mmn-dr-3
Description: "conclusionCode has exactly one basis from the FhirMmn mmn-basis code system."
Expression: "conclusionCode.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-basis' and (code = 'clinical-criteria-provided' or code = 'clinical-criteria-assumed')).count() = 1 and conclusionCode.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-basis').count() = 1"
Severity: #error

Invariant: mmn-dr-4
Description: "SNOMED CT 230591002 Multifocal motor neuropathy appears only with category definite or probable and basis clinical-criteria-provided."
Expression: "conclusionCode.coding.where(system = 'http://snomed.info/sct' and code = '230591002').exists() implies (conclusionCode.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-category' and (code = 'definite' or code = 'probable')).exists() and conclusionCode.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-basis' and code = 'clinical-criteria-provided').exists())"
Severity: #error

Invariant: mmn-cp-1
Description: "status is draft or active; or entered-in-error for the plan of a withdrawn report."
Expression: "status = 'draft' or status = 'active' or status = 'entered-in-error'"
Severity: #error

Invariant: mmn-cp-2
Description: "instantiatesCanonical names the versioned PlanDefinition http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|{version}."
Expression: "instantiatesCanonical.where(startsWith('http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|')).exists()"
Severity: #error

Invariant: mmn-cp-3
Description: "An activity with doNotPerform true says \"Do not\" in its description (doNotPerform is a modifier)."
Expression: "doNotPerform.where($this = true).exists() implies description.where(contains('Do not')).exists()"
Severity: #error

Invariant: mmn-cp-4
Description: "An activity code, when present, carries a care plan code from the FhirMmn mmn-report code system (not mmn-assessment)."
Expression: "code.empty() or code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-report' and code != 'mmn-assessment').exists()"
Severity: #error

Invariant: mmn-cp-5
Description: "Corticosteroids and plasma exchange are proposed only as do-not-perform activities."
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/mmn-report' and (code = 'corticosteroids' or code = 'plasma-exchange')).exists() implies doNotPerform.where($this = true).exists()"
Severity: #error

Invariant: mmn-cp-6
Description: "Every proposed activity has status not-started."
Expression: "status = 'not-started'"
Severity: #error

Invariant: mmn-cp-7
Description: "Every activity has a kind, a description and a reasonReference to the report."
Expression: "kind.exists() and description.exists() and reasonReference.exists()"
Severity: #error

Invariant: mmn-prov-1
Description: "policy names the PlanDefinition http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010."
Expression: "policy.where($this = 'http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010' or startsWith('http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|')).exists()"
Severity: #error

Invariant: mmn-prov-2
Description: "An author agent (provenance-participant-type#author) has a who that references a Device."
Expression: "type.coding.where(system = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type' and code = 'author').exists() implies (who.reference.where(startsWith('Device/') or contains('/Device/') or startsWith('urn:uuid:')).exists() or who.type.where($this = 'Device').exists())"
Severity: #error

Invariant: mmn-prov-3
Description: "Exactly one agent has type provenance-participant-type#author: the classifier Device."
Expression: "agent.where(type.coding.where(system = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type' and code = 'author').exists()).count() = 1"
Severity: #error

Invariant: mmn-prov-4
Description: "The Provenance of an assessment targets the report and the care plan; only a withdrawal (activity v3-DataOperation NULLIFY) may target the report alone."
Expression: "activity.coding.where(system = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation' and code = 'NULLIFY').exists() or target.count() >= 2"
Severity: #error
