// The guideline the CarePlan instantiates (docs/criteria.md "Treatment" and docs/write-back.md "CarePlan").
// R4 PlanDefinition actions have no doNotPerform; the two "do not" actions point at contained
// ActivityDefinitions that carry doNotPerform = true, and say "Do not" in their text as well.

Instance: mmn-efns-pns-2010
InstanceOf: PlanDefinition
Usage: #definition
Title: "Management of multifocal motor neuropathy (EFNS/PNS 2010)"
Description: "The care plan proposals of FhirMmn, by diagnostic category, from the EFNS/PNS 2010 guideline on management of multifocal motor neuropathy."
* url = "http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010"
* version = "0.2.0"
* name = "MmnEfnsPns2010"
* title = "Management of multifocal motor neuropathy (EFNS/PNS 2010)"
* status = #draft
* experimental = false
* publisher = "FhirMmn"
* type = $plan-definition-type#clinical-protocol "Clinical Protocol"
* description = "What FhirMmn proposes in a CarePlan for each category of its MMN assessment report. Definite or probable MMN: IVIg induction 2 g/kg over 2-5 days as first-line treatment when disability is sufficiently severe to warrant treatment; maintenance guided by the response, typically 1 g/kg every 2-4 weeks or 2 g/kg every 1-2 months; SCIg as an alternative for maintenance at an equivalent dose, with smaller trials behind it than IVIg; no corticosteroids (they may worsen a pure motor neuropathy) and no plasma exchange (ineffective); no immunosuppressant has proven benefit (cyclophosphamide is undesirable because of its toxicity); monitoring of grip strength (vigorimeter), MRC sum score and MMN-RODS; neuromuscular follow-up; physiotherapy as supportive care (not a guideline recommendation). On clinical criteria assumed (not provided), a definite or probable proposal starts with a neuromuscular assessment of the assumed criteria, and its IVIg, SCIg and monitoring activities begin \"If the clinical criteria are confirmed:\". Possible MMN: confirmation tests (a repeat of an equivocal anti-GM1 where a raised one could decide) and an IVIg trial at the specialist's discretion. Insufficient data: the tests that would decide (including the supportive tests not done, a sensory study across a blocked segment, other nerves for a segment too low to assess). Criteria not met: no MMN treatment, a neuromuscular referral and the differential the findings point to."
* purpose = "Machine-generated proposals for a clinician to review; the CarePlan is a draft proposal and every activity starts not-started."
* usage = "Instantiated by the FhirMmn CarePlan (profile mmn-careplan) through instantiatesCanonical http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|0.2.0 (the version is the criteria version of the classifier)."
* relatedArtifact[0].type = #citation
* relatedArtifact[0].label = "EFNS/PNS 2010"
* relatedArtifact[0].display = "van Schaik IN et al., EFNS/PNS guideline on management of multifocal motor neuropathy, J Peripher Nerv Syst 2010;15:295-301"
* relatedArtifact[0].citation = "van Schaik IN, et al. European Federation of Neurological Societies/Peripheral Nerve Society guideline on management of multifocal motor neuropathy. Report of a joint task force of the European Federation of Neurological Societies and the Peripheral Nerve Society - first revision. J Peripher Nerv Syst. 2010;15(4):295-301."
* contained[0] = do-not-corticosteroids
* contained[1] = do-not-plasma-exchange

// Definite or probable MMN
* action[0].title = "Definite or probable MMN"
* action[0].description = "Treatment, monitoring and follow-up for definite or probable MMN. No immunosuppressant has proven benefit in MMN (cyclophosphamide is undesirable because of its toxicity)."
* action[0].groupingBehavior = #logical-group
* action[0].action[0].title = "IVIg induction"
* action[0].action[0].code = $mmn-report#ivig-induction
* action[0].action[0].description = "Intravenous immunoglobulin 2 g/kg body weight over 2-5 days as first-line treatment when disability is sufficiently severe to warrant treatment."
* action[0].action[1].title = "IVIg maintenance"
* action[0].action[1].code = $mmn-report#ivig-maintenance
* action[0].action[1].description = "Maintenance intravenous immunoglobulin guided by the response: typically 1 g/kg every 2-4 weeks or 2 g/kg every 1-2 months."
* action[0].action[2].title = "SCIg maintenance"
* action[0].action[2].code = $mmn-report#scig-maintenance
* action[0].action[2].description = "Subcutaneous immunoglobulin as an alternative for maintenance, at a dose equivalent to the intravenous maintenance dose, with smaller trials behind it than IVIg."
* action[0].action[3].title = "Do not use corticosteroids"
* action[0].action[3].code = $mmn-report#corticosteroids
* action[0].action[3].description = "Do not use corticosteroids: not recommended in MMN; they may worsen a pure motor neuropathy."
* action[0].action[3].definitionCanonical = "#do-not-corticosteroids"
* action[0].action[4].title = "Do not use plasma exchange"
* action[0].action[4].code = $mmn-report#plasma-exchange
* action[0].action[4].description = "Do not use plasma exchange: ineffective in MMN."
* action[0].action[4].definitionCanonical = "#do-not-plasma-exchange"
* action[0].action[5].title = "Grip strength"
* action[0].action[5].code = $mmn-report#grip-strength
* action[0].action[5].description = "Monitor grip strength with a vigorimeter."
* action[0].action[6].title = "MRC sum score"
* action[0].action[6].code = $mmn-report#mrc-sum-score
* action[0].action[6].description = "Monitor muscle strength with the MRC sum score."
* action[0].action[7].title = "MMN-RODS"
* action[0].action[7].code = $mmn-report#mmn-rods
* action[0].action[7].description = "Monitor disability with the MMN Rasch-built Overall Disability Scale (MMN-RODS)."
* action[0].action[8].title = "Neuromuscular follow-up"
* action[0].action[8].code = $mmn-report#neuromuscular-follow-up
* action[0].action[8].description = "Follow-up by a neuromuscular specialist to assess the response and adjust the dose and interval."
* action[0].action[9].title = "Physiotherapy"
* action[0].action[9].code = $mmn-report#physiotherapy
* action[0].action[9].description = "Physiotherapy as supportive care. This is not a recommendation of the EFNS/PNS 2010 guideline."
* action[0].action[10].title = "Neuromuscular assessment of the clinical criteria"
* action[0].action[10].code = $mmn-report#clinical-criteria-assessment
* action[0].action[10].description = "When the clinical criteria were assumed (not provided): first, a neuromuscular assessment of the assumed criteria, named; the IVIg, SCIg and monitoring actions then begin \"If the clinical criteria are confirmed:\"."

// Possible MMN
* action[1].title = "Possible MMN"
* action[1].description = "Confirm or refute the diagnosis before treatment."
* action[1].groupingBehavior = #logical-group
* action[1].action[0].title = "Neuromuscular review"
* action[1].action[0].code = $mmn-report#neuromuscular-review
* action[1].action[0].description = "Review by a neuromuscular specialist to confirm the diagnosis."
* action[1].action[1].title = "Extended nerve conduction study"
* action[1].action[1].code = $mmn-report#extended-conduction-study
* action[1].action[1].description = "Extended motor conduction studies: proximal stimulation up to Erb's point and more nerves."
* action[1].action[2].title = "Anti-GM1 IgM antibodies"
* action[1].action[2].code = $mmn-report#anti-gm1-test
* action[1].action[2].description = "Serum IgM anti-GM1 antibodies, where not done."
* action[1].action[3].title = "CSF examination"
* action[1].action[3].code = $mmn-report#csf-examination
* action[1].action[3].description = "Cerebrospinal fluid examination including total protein, where not done."
* action[1].action[4].title = "Brachial plexus MRI"
* action[1].action[4].code = $mmn-report#brachial-plexus-mri
* action[1].action[4].description = "MRI of the brachial plexus with T2-weighted imaging, where not done."
* action[1].action[5].title = "IVIg trial"
* action[1].action[5].code = $mmn-report#ivig-trial
* action[1].action[5].description = "A trial of intravenous immunoglobulin (2 g/kg over 2-5 days) at the specialist's discretion, with objective measurement of the response."
* action[1].action[6].title = "Do not use corticosteroids"
* action[1].action[6].code = $mmn-report#corticosteroids
* action[1].action[6].description = "Do not use corticosteroids: not recommended in MMN; they may worsen a pure motor neuropathy."
* action[1].action[6].definitionCanonical = "#do-not-corticosteroids"
* action[1].action[7].title = "Do not use plasma exchange"
* action[1].action[7].code = $mmn-report#plasma-exchange
* action[1].action[7].description = "Do not use plasma exchange: ineffective in MMN."
* action[1].action[7].definitionCanonical = "#do-not-plasma-exchange"
* action[1].action[8].title = "Repeat anti-GM1 IgM antibody test"
* action[1].action[8].code = $mmn-report#anti-gm1-repeat
* action[1].action[8].description = "Repeat an equivocal serum IgM anti-GM1 antibody test, where a raised result could change the category."

// Insufficient data
* action[2].title = "Insufficient data"
* action[2].description = "Only the tests that would decide the category, named from the missing-data findings of the report."
* action[2].groupingBehavior = #logical-group
* action[2].selectionBehavior = #any
* action[2].action[0].title = "CMAP area and duration"
* action[2].action[0].code = $mmn-report#cmap-area-duration-measurement
* action[2].action[0].description = "Measure the negative-peak area and duration of the CMAP at every stimulation site."
* action[2].action[1].title = "Sensory nerve conduction study"
* action[2].action[1].code = $mmn-report#sensory-conduction-study
* action[2].action[1].description = "Sensory conduction studies of the upper-limb nerves, with the lower limit of normal of each SNAP."
* action[2].action[2].title = "Extended nerve conduction study"
* action[2].action[2].code = $mmn-report#extended-conduction-study
* action[2].action[2].description = "Motor conduction studies with more stimulation sites (up to Erb's point) or more nerves."
* action[2].action[3].title = "Motor conduction studies of other nerves"
* action[2].action[3].code = $mmn-report#other-nerve-motor-study
* action[2].action[3].description = "Motor conduction studies of other nerves, when a segment's distal CMAP is too low (axonal loss) to assess it for conduction block."
* action[2].action[4].title = "Sensory conduction study across the blocked segment"
* action[2].action[4].code = $mmn-report#sensory-study-across-block
* action[2].action[4].description = "A segmental sensory study stimulated at or above the block's proximal site, when the distal SNAP is low and counting the block would change the category."
* action[2].action[5].title = "Anti-GM1 IgM antibodies"
* action[2].action[5].code = $mmn-report#anti-gm1-test
* action[2].action[5].description = "Serum IgM anti-GM1 antibodies, where not done and two supportive criteria could make a block in one nerve probable MMN."
* action[2].action[6].title = "Repeat anti-GM1 IgM antibody test"
* action[2].action[6].code = $mmn-report#anti-gm1-repeat
* action[2].action[6].description = "A repeat of an equivocal anti-GM1 IgM result, where it could decide."
* action[2].action[7].title = "CSF examination"
* action[2].action[7].code = $mmn-report#csf-examination
* action[2].action[7].description = "Cerebrospinal fluid total protein, where not done and it could decide."
* action[2].action[8].title = "Brachial plexus MRI"
* action[2].action[8].code = $mmn-report#brachial-plexus-mri
* action[2].action[8].description = "MRI of the brachial plexus with T2-weighted imaging, where not done and it could decide."
* action[2].action[9].title = "IVIg trial"
* action[2].action[9].code = $mmn-report#ivig-trial
* action[2].action[9].description = "A trial of intravenous immunoglobulin with objective measurement of the response, where not done and it could decide."

// Criteria not met
* action[3].title = "Criteria not met"
* action[3].description = "No MMN treatment. Refer to a neuromuscular specialist and work up the differential the findings point to."
* action[3].groupingBehavior = #logical-group
* action[3].selectionBehavior = #any
* action[3].action[0].title = "Neuromuscular review"
* action[3].action[0].code = $mmn-report#neuromuscular-review
* action[3].action[0].description = "Referral to a neuromuscular specialist."
* action[3].action[1].title = "Motor neuron disease work-up"
* action[3].action[1].code = $mmn-report#motor-neuron-disease-workup
* action[3].action[1].description = "Work-up for motor neuron disease when upper motor neuron or bulbar signs are present."
* action[3].action[2].title = "CIDP / MADSAM work-up"
* action[3].action[2].code = $mmn-report#cidp-workup
* action[3].action[2].description = "Work-up for CIDP or its MADSAM variant when there is sensory involvement (objective sensory loss, a low SNAP) or a CSF protein of 1 g/L or more."

Instance: do-not-corticosteroids
InstanceOf: ActivityDefinition
Usage: #inline
* status = #draft
* name = "DoNotUseCorticosteroids"
* title = "Do not use corticosteroids"
* description = "Do not use corticosteroids in MMN: not recommended; they may worsen a pure motor neuropathy."
* kind = #MedicationRequest
* code = $mmn-report#corticosteroids
* doNotPerform = true

Instance: do-not-plasma-exchange
InstanceOf: ActivityDefinition
Usage: #inline
* status = #draft
* name = "DoNotUsePlasmaExchange"
* title = "Do not use plasma exchange"
* description = "Do not use plasma exchange in MMN: ineffective."
* kind = #ServiceRequest
* code = $mmn-report#plasma-exchange
* doNotPerform = true
