// One ValueSet per FhirMmn code system (all its codes), plus the narrower sets the profiles bind to.

RuleSet: FhirMmnValueSet
* ^status = #draft
* ^experimental = false

ValueSet: MmnNcsVS
Id: ncs
Title: "FhirMmn nerve conduction study elements"
Description: "All codes of the FhirMmn ncs code system."
* insert FhirMmnValueSet
* include codes from system $ncs

ValueSet: MmnNerveVS
Id: nerve
Title: "FhirMmn nerves"
Description: "All codes of the FhirMmn nerve code system."
* insert FhirMmnValueSet
* include codes from system $nerve

ValueSet: MmnMotorNerveVS
Id: motor-nerve
Title: "FhirMmn motor nerves"
Description: "Nerves with motor conduction studies (CMAP): median, ulnar, radial, musculocutaneous, peroneal, tibial."
* insert FhirMmnValueSet
* $nerve#median
* $nerve#ulnar
* $nerve#radial
* $nerve#musculocutaneous
* $nerve#peroneal
* $nerve#tibial

ValueSet: MmnSensoryNerveVS
Id: sensory-nerve
Title: "FhirMmn sensory nerves"
Description: "Nerves with sensory conduction studies (SNAP): median, ulnar, radial, sural, superficial peroneal, lateral antebrachial cutaneous."
* insert FhirMmnValueSet
* $nerve#median
* $nerve#ulnar
* $nerve#radial
* $nerve#sural
* $nerve#superficial-peroneal
* $nerve#lateral-antebrachial-cutaneous

ValueSet: MmnStimulationSiteVS
Id: stimulation-site
Title: "FhirMmn stimulation sites"
Description: "All codes of the FhirMmn stimulation-site code system."
* insert FhirMmnValueSet
* include codes from system $stimulation-site

ValueSet: MmnLateralityVS
Id: laterality
Title: "FhirMmn laterality"
Description: "The side of a nerve: SNOMED CT Left and Right, and Unilateral left and Unilateral right (read the same way)."
* insert FhirMmnValueSet
* $sct#7771000 "Left"
* $sct#24028007 "Right"
* $sct#419161000 "Unilateral left"
* $sct#419465000 "Unilateral right"

ValueSet: MmnClinicalVS
Id: mmn-clinical
Title: "FhirMmn clinical findings"
Description: "All codes of the FhirMmn mmn-clinical code system."
* insert FhirMmnValueSet
* include codes from system $mmn-clinical

ValueSet: MmnLabVS
Id: mmn-lab
Title: "FhirMmn laboratory results"
Description: "All codes of the FhirMmn mmn-lab code system."
* insert FhirMmnValueSet
* include codes from system $mmn-lab

ValueSet: MmnAntiGm1CodeVS
Id: anti-gm1-code
Title: "FhirMmn anti-GM1 IgM result codes"
Description: "The codes of the three forms of an IgM anti-GM1 result: LOINC 51703-7 (quantity), mmn-lab anti-gm1-igm-titre (titre 1:N), mmn-lab anti-gm1-igm-presence (positive or negative)."
* insert FhirMmnValueSet
* $loinc#51703-7 "Ganglioside GM1 IgM Ab [Units/volume] in Serum by Immunoassay"
* $mmn-lab#anti-gm1-igm-titre
* $mmn-lab#anti-gm1-igm-presence

ValueSet: MmnAntiGm1PresenceVS
Id: anti-gm1-presence-result
Title: "FhirMmn anti-GM1 qualitative results"
Description: "Values of a qualitative IgM anti-GM1 result: SNOMED CT Positive or Negative."
* insert FhirMmnValueSet
* $sct#10828004 "Positive"
* $sct#260385009 "Negative"

ValueSet: MmnCategoryVS
Id: mmn-category
Title: "FhirMmn diagnostic categories"
Description: "All codes of the FhirMmn mmn-category code system."
* insert FhirMmnValueSet
* include codes from system $mmn-category

ValueSet: MmnBasisVS
Id: mmn-basis
Title: "FhirMmn basis of the clinical criteria"
Description: "All codes of the FhirMmn mmn-basis code system."
* insert FhirMmnValueSet
* include codes from system $mmn-basis

ValueSet: MmnReportVS
Id: mmn-report
Title: "FhirMmn report and care plan codes"
Description: "All codes of the FhirMmn mmn-report code system."
* insert FhirMmnValueSet
* include codes from system $mmn-report

ValueSet: MmnCarePlanActivityVS
Id: mmn-careplan-activity
Title: "FhirMmn care plan activities"
Description: "The mmn-report codes used as CarePlan activity codes: every code of the mmn-report code system except mmn-assessment (the report code)."
* insert FhirMmnValueSet
* include codes from system $mmn-report
* exclude $mmn-report#mmn-assessment

ValueSet: MmnFeedBundleTypeVS
Id: feed-bundle-type
Title: "FhirMmn feed bundle types"
Description: "The Bundle types a feed may send: collection, transaction, batch, message."
* insert FhirMmnValueSet
* http://hl7.org/fhir/bundle-type#collection
* http://hl7.org/fhir/bundle-type#transaction
* http://hl7.org/fhir/bundle-type#batch
* http://hl7.org/fhir/bundle-type#message

ValueSet: MmnReportStatusVS
Id: mmn-report-status
Title: "FhirMmn report statuses"
Description: "Statuses of the FhirMmn DiagnosticReport: preliminary (default: machine output not verified by a person); final and amended for feeds that opt into final reports; entered-in-error for a report withdrawn because its patient record proved to be the same person as another (the report kept for that person says the rest)."
* insert FhirMmnValueSet
* http://hl7.org/fhir/diagnostic-report-status#preliminary
* http://hl7.org/fhir/diagnostic-report-status#final
* http://hl7.org/fhir/diagnostic-report-status#amended
* http://hl7.org/fhir/diagnostic-report-status#entered-in-error

ValueSet: MmnCarePlanStatusVS
Id: mmn-careplan-status
Title: "FhirMmn care plan statuses"
Description: "Statuses of the FhirMmn CarePlan: draft (default), or active for feeds whose EHR hides drafts; entered-in-error for the plan of a withdrawn report."
* insert FhirMmnValueSet
* http://hl7.org/fhir/request-status#draft
* http://hl7.org/fhir/request-status#active
* http://hl7.org/fhir/request-status#entered-in-error
