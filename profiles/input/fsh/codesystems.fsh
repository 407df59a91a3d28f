// The FhirMmn code systems. The codes are fixed: the C# service uses exactly these.
// Canonical: http://fhirmmn.org/fhir/CodeSystem/{id}

RuleSet: FhirMmnCodeSystem
* ^status = #draft
* ^experimental = false
* ^caseSensitive = true
* ^content = #complete

CodeSystem: MmnNcsCS
Id: ncs
Title: "FhirMmn nerve conduction study elements"
Description: "Codes for the parts of a nerve conduction result that have no suitable LOINC code: the components of CMAP and SNAP Observations and the SNAP amplitude."
* insert FhirMmnCodeSystem
* #stimulation-site "Stimulation site" "The place along the nerve where the stimulus was applied to record this compound muscle action potential (CMAP) or sensory nerve action potential (SNAP). The component value is a code from the FhirMmn stimulation-site code system, on the limb of the nerve. Required on a CMAP. On a SNAP optional: absent or wrist is the distal SNAP (for the lateral antebrachial cutaneous nerve also the elbow, where its routine study stimulates it); a more proximal site makes a segmental SNAP, which shows whether sensory conduction crosses a conduction block at or distal to that site."
* #laterality "Laterality" "The side of the body of the nerve studied. The component value is SNOMED CT 7771000 |Left| or 24028007 |Right| (419161000 |Unilateral left| and 419465000 |Unilateral right| are read the same way)."
* #cmap-area "CMAP negative-peak area" "The area under the negative peak of the compound muscle action potential at this stimulation site, in mV.ms."
* #cmap-duration "CMAP negative-peak duration" "The duration of the negative peak of the compound muscle action potential at this stimulation site, in ms."
* #onset-latency "Onset latency" "The time from the stimulus to the onset of the compound muscle action potential at this stimulation site, in ms."
* #snap-amplitude "SNAP amplitude" "The amplitude of the sensory nerve action potential (SNAP) of the nerve, in uV."

CodeSystem: MmnNerveCS
Id: nerve
Title: "FhirMmn nerves"
Description: "The peripheral nerves studied by nerve conduction for multifocal motor neuropathy. A nerve is one nerve on one side; the side is given by the laterality component."
* insert FhirMmnCodeSystem
* #median "Median nerve" "The median nerve (upper limb): motor study usually recorded from abductor pollicis brevis, sensory study from a digit."
* #ulnar "Ulnar nerve" "The ulnar nerve (upper limb): motor study usually recorded from abductor digiti minimi or first dorsal interosseous, sensory study from the fifth digit."
* #radial "Radial nerve" "The radial nerve (upper limb): motor study usually recorded from extensor indicis, sensory study of the superficial radial nerve."
* #musculocutaneous "Musculocutaneous nerve" "The musculocutaneous nerve (upper limb): motor study recorded from biceps brachii. Its sensory branch is the lateral antebrachial cutaneous nerve."
* #peroneal "Peroneal (fibular) nerve" "The common peroneal (fibular) nerve (lower limb): motor study usually recorded from extensor digitorum brevis or tibialis anterior."
* #tibial "Tibial nerve" "The tibial nerve (lower limb): motor study usually recorded from abductor hallucis. Tibial segments are not graded for conduction block."
* #sural "Sural nerve" "The sural nerve (lower limb): sensory study only."
* #superficial-peroneal "Superficial peroneal (fibular) nerve" "The superficial peroneal (fibular) nerve (lower limb): sensory study only. The peroneal nerve's own sensory branch: when its SNAP is low, a peroneal conduction block of that side does not count."
* #lateral-antebrachial-cutaneous "Lateral antebrachial cutaneous nerve" "The lateral antebrachial cutaneous nerve (upper limb), the sensory branch of the musculocutaneous nerve: sensory study only, usually stimulated at the elbow lateral to the biceps tendon and recorded on the forearm. Its SNAP is the one held against a musculocutaneous conduction block."

CodeSystem: MmnStimulationSiteCS
Id: stimulation-site
Title: "FhirMmn stimulation sites"
Description: "Stimulation sites of motor nerve conduction studies. Upper limb, distal to proximal: wrist, below-elbow, elbow, above-elbow, axilla, erb-point. Lower limb, distal to proximal: ankle, below-fibular-head, above-fibular-head, popliteal-fossa. Consecutive reported sites of one nerve and side form the segments that are graded for conduction block."
* insert FhirMmnCodeSystem
* #wrist "Wrist" "Stimulation at the wrist (median, ulnar) or the distal forearm (radial); the most distal upper-limb site."
* #below-elbow "Below elbow" "Stimulation just distal to the elbow (for the ulnar nerve: distal to the cubital tunnel)."
* #elbow "Elbow" "Stimulation at the elbow (for the median nerve: the antecubital fossa)."
* #above-elbow "Above elbow" "Stimulation just proximal to the elbow (for the ulnar nerve: proximal to the cubital tunnel; for the radial nerve: the spiral groove region)."
* #axilla "Axilla" "Stimulation in the axilla (upper arm, proximal)."
* #erb-point "Erb's point" "Supraclavicular stimulation at Erb's point (brachial plexus); the most proximal upper-limb site."
* #ankle "Ankle" "Stimulation at the ankle; the most distal lower-limb site."
* #below-fibular-head "Below fibular head" "Stimulation of the peroneal nerve just distal to the fibular head."
* #above-fibular-head "Above fibular head" "Stimulation of the peroneal nerve just proximal to the fibular head (lateral popliteal fossa)."
* #popliteal-fossa "Popliteal fossa" "Stimulation in the popliteal fossa; the most proximal lower-limb site."

CodeSystem: MmnClinicalCS
Id: mmn-clinical
Title: "FhirMmn clinical findings"
Description: "Clinical findings used by the EFNS/PNS 2010 criteria for multifocal motor neuropathy (van Schaik et al., J Peripher Nerv Syst 2010;15:295-301): core criteria, exclusions and supportive criteria."
* insert FhirMmnCodeSystem
* #weakness-nerve-count "Number of nerves with weakness" "The number of nerves in whose motor distribution there is asymmetric, progressive limb weakness without objective sensory loss (core criterion 1). valueInteger."
* #weakness-duration "Duration of weakness" "How long the asymmetric, progressive weakness has been present (core criterion 1 requires more than one month). valueQuantity in months (UCUM mo)."
* #objective-sensory-loss "Objective sensory loss" "Objective sensory abnormalities beyond minor vibration sense loss in the lower limbs (true excludes MMN; core criterion 2 requires false). valueBoolean."
* #upper-motor-neuron-signs "Upper motor neuron signs" "Upper motor neuron signs are present (an exclusion criterion). valueBoolean."
* #marked-bulbar-involvement "Marked bulbar involvement" "Marked bulbar involvement is present (an exclusion criterion). valueBoolean."
* #diffuse-symmetric-weakness-early "Diffuse symmetric weakness early" "More marked diffuse, symmetric weakness during the initial weeks of the disease (an exclusion criterion). valueBoolean."
* #ivig-response "Objective response to IVIg" "Objective clinical improvement following intravenous immunoglobulin treatment (supportive criterion 4). valueBoolean."
* #mri-plexus-t2-hyperintensity "Brachial plexus MRI T2 hyperintensity" "MRI shows increased signal intensity on T2-weighted imaging with diffuse nerve swelling of the brachial plexus (supportive criterion 3). valueBoolean."
* #csf-protein "CSF protein" "Cerebrospinal fluid total protein concentration (supportive criterion 2: raised but below 1 g/L). valueQuantity in g/L."

CodeSystem: MmnLabCS
Id: mmn-lab
Title: "FhirMmn laboratory results"
Description: "Forms of the IgM anti-GM1 antibody result that LOINC 51703-7 (a quantity in units per volume) does not cover."
* insert FhirMmnCodeSystem
* #anti-gm1-igm-titre "Ganglioside GM1 IgM antibody titre" "IgM antibodies against ganglioside GM1 in serum, reported as a titre 1:N (valueRatio; valueString \"1:N\" is tolerated), with the reference range as text \"<= 1:N\" or \"< 1:N\"."
* #anti-gm1-igm-presence "Ganglioside GM1 IgM antibody presence" "IgM antibodies against ganglioside GM1 in serum, reported qualitatively (valueCodeableConcept SNOMED CT 10828004 |Positive| or 260385009 |Negative|)."

CodeSystem: MmnCategoryCS
Id: mmn-category
Title: "FhirMmn diagnostic categories"
Description: "The diagnostic categories of the EFNS/PNS 2010 criteria for multifocal motor neuropathy, plus the outcome when the data cannot decide."
* insert FhirMmnCodeSystem
* #definite "Definite MMN" "The clinical criteria are met and a definite motor conduction block is found in at least one nerve, with normal sensory conduction in the upper-limb segments with the block."
* #probable "Probable MMN" "The clinical criteria are met and a probable or definite motor conduction block is found in two nerves, or in one nerve with at least two supportive criteria."
* #possible "Possible MMN" "Weakness in at least two nerves, normal sensory conduction and an objective response to IVIg without conduction block; or weakness in one nerve with a probable or definite conduction block in that nerve."
* #criteria-not-met "Criteria not met" "The EFNS/PNS 2010 criteria for MMN are not met: an exclusion criterion is present, a core criterion fails, or complete data show no qualifying conduction block."
* #insufficient-data "Insufficient data" "The available data cannot decide the category (for example no gradeable segment, a segment whose distal CMAP is too low to assess, a block without the sensory study of that nerve or with sensory conduction across it not established, no upper-limb sensory study, or a probable block in one nerve with the supportive tests that would decide not done); the report names what would decide it."

CodeSystem: MmnBasisCS
Id: mmn-basis
Title: "FhirMmn basis of the clinical criteria"
Description: "Whether the clinical criteria used in the classification were provided by the sender or assumed."
* insert FhirMmnCodeSystem
* #clinical-criteria-provided "Clinical criteria provided" "All six clinical findings the criteria need (weakness-nerve-count, weakness-duration, objective-sensory-loss, upper-motor-neuron-signs, marked-bulbar-involvement, diffuse-symmetric-weakness-early) were provided."
* #clinical-criteria-assumed "Clinical criteria assumed" "At least one of the six clinical findings was missing and was assumed favourable; the conclusion holds only if the clinical criteria are met, and the report names the missing findings."

CodeSystem: MmnReportCS
Id: mmn-report
Title: "FhirMmn report and care plan codes"
Description: "The code of the FhirMmn assessment report and the codes of the activities of the FhirMmn care plan (EFNS/PNS 2010 guideline on management of multifocal motor neuropathy)."
* insert FhirMmnCodeSystem
* #mmn-assessment "Multifocal motor neuropathy assessment" "A machine assessment of nerve conduction, laboratory and clinical findings against the EFNS/PNS 2010 diagnostic criteria for multifocal motor neuropathy."
* #ivig-induction "IVIg induction" "Intravenous immunoglobulin as first-line treatment when disability is sufficiently severe to warrant treatment: 2 g/kg body weight given over 2 to 5 days."
* #ivig-maintenance "IVIg maintenance" "Maintenance intravenous immunoglobulin guided by the response, typically 1 g/kg every 2 to 4 weeks or 2 g/kg every 1 to 2 months."
* #scig-maintenance "SCIg maintenance" "Subcutaneous immunoglobulin as an alternative for maintenance treatment, at a dose equivalent to the intravenous maintenance dose, with smaller trials behind it than IVIg."
* #corticosteroids "Corticosteroids" "Corticosteroid treatment. Not recommended for MMN (it may worsen a pure motor neuropathy); used only as a do-not-perform activity."
* #plasma-exchange "Plasma exchange" "Plasma exchange. Ineffective in MMN; used only as a do-not-perform activity."
* #grip-strength "Grip strength measurement" "Monitoring of grip strength with a vigorimeter."
* #mrc-sum-score "MRC sum score" "Monitoring of muscle strength with the Medical Research Council (MRC) sum score."
* #mmn-rods "MMN-RODS" "Monitoring of disability with the MMN Rasch-built Overall Disability Scale (MMN-RODS)."
* #neuromuscular-follow-up "Neuromuscular follow-up" "Follow-up by a neuromuscular specialist to assess treatment response and adjust the dose."
* #physiotherapy "Physiotherapy" "Physiotherapy as supportive care (not a recommendation of the EFNS/PNS 2010 guideline)."
* #neuromuscular-review "Neuromuscular review" "Review by a neuromuscular specialist to confirm or refute the diagnosis."
* #extended-conduction-study "Extended nerve conduction study" "Further motor nerve conduction studies: proximal stimulation up to Erb's point and more nerves, to look for conduction block."
* #anti-gm1-test "Anti-GM1 IgM antibody test" "Serum IgM anti-GM1 antibody testing (supportive criterion 1)."
* #csf-examination "CSF examination" "Cerebrospinal fluid examination including total protein (supportive criterion 2)."
* #brachial-plexus-mri "Brachial plexus MRI" "MRI of the brachial plexus with T2-weighted imaging (supportive criterion 3)."
* #ivig-trial "IVIg trial" "A trial of intravenous immunoglobulin at the specialist's discretion, with objective measurement of the response (supportive criterion 4)."
* #cmap-area-duration-measurement "CMAP area and duration measurement" "Measurement of the negative-peak area and duration of the CMAP at every stimulation site, needed to grade conduction block."
* #sensory-conduction-study "Sensory nerve conduction study" "Sensory nerve conduction studies of the upper-limb nerves (SNAP amplitude and lower limit of normal), needed to confirm normal sensory conduction."
* #motor-neuron-disease-workup "Motor neuron disease work-up" "Work-up for motor neuron disease (for example amyotrophic lateral sclerosis), when upper motor neuron or bulbar signs are present."
* #cidp-workup "CIDP / MADSAM work-up" "Work-up for chronic inflammatory demyelinating polyneuropathy, including its multifocal acquired demyelinating sensory and motor (MADSAM) variant, when sensory involvement is present."
* #clinical-criteria-assessment "Neuromuscular assessment of the clinical criteria" "Assessment by a neuromuscular specialist of the clinical criteria that were not provided and were assumed favourable (named in the activity), before treatment: a definite or probable result on assumed criteria holds only if they are met."
* #anti-gm1-repeat "Repeat anti-GM1 IgM antibody test" "A repeat of a serum IgM anti-GM1 antibody test whose result was equivocal (interpretation E or IND), where a raised result could change the category (supportive criterion 1)."
* #sensory-study-across-block "Sensory conduction study across the blocked segment" "A segmental sensory nerve conduction study of the blocked nerve, stimulated at or above the proximal site of the conduction block, when the distal SNAP is low: it shows whether sensory conduction across the blocked segment is normal (criterion 3). A low median SNAP is often a carpal tunnel syndrome, distal to the block."
* #other-nerve-motor-study "Motor conduction studies of other nerves" "Motor nerve conduction studies of other nerves, with CMAP negative-peak area and duration at each site, when a segment cannot be assessed for conduction block because its distal CMAP is too low (axonal loss); studying the same segment again would not decide."
