// Examples of what the service writes back, for the shared example feeds
// example-definite-ulnar-forearm.json and example-insufficient-no-area.json.

RuleSet: DefiniteResults
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-1)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-2)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-3)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-4)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-5)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-6)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-7)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-8)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-9)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-10)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-11)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-12)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-13)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-14)
* result[+] = Reference(Observation/example-definite-ulnar-forearm-obs-15)

RuleSet: DefiniteEntities
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-1)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-2)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-3)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-4)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-5)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-6)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-7)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-8)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-9)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-10)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-11)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-12)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-13)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-14)
* entity[+].what = Reference(Observation/example-definite-ulnar-forearm-obs-15)

RuleSet: DefiniteActivities(report)
* activity[0].detail.kind = #MedicationRequest
* activity[0].detail.code = $mmn-report#ivig-induction
* activity[0].detail.reasonReference.reference = "{report}"
* activity[0].detail.status = #not-started
* activity[0].detail.description = "IVIg induction: 2 g/kg body weight over 2-5 days, first-line treatment when disability is sufficiently severe to warrant treatment."
* activity[1].detail.kind = #MedicationRequest
* activity[1].detail.code = $mmn-report#ivig-maintenance
* activity[1].detail.reasonReference.reference = "{report}"
* activity[1].detail.status = #not-started
* activity[1].detail.description = "IVIg maintenance guided by the response: typically 1 g/kg every 2-4 weeks or 2 g/kg every 1-2 months."
* activity[2].detail.kind = #MedicationRequest
* activity[2].detail.code = $mmn-report#scig-maintenance
* activity[2].detail.reasonReference.reference = "{report}"
* activity[2].detail.status = #not-started
* activity[2].detail.description = "Alternative for maintenance: subcutaneous immunoglobulin at an equivalent dose, with smaller trials behind it than IVIg."
* activity[3].detail.kind = #MedicationRequest
* activity[3].detail.code = $mmn-report#corticosteroids
* activity[3].detail.reasonReference.reference = "{report}"
* activity[3].detail.status = #not-started
* activity[3].detail.doNotPerform = true
* activity[3].detail.description = "Do not use corticosteroids: not recommended; they may worsen a pure motor neuropathy."
* activity[4].detail.kind = #ServiceRequest
* activity[4].detail.code = $mmn-report#plasma-exchange
* activity[4].detail.reasonReference.reference = "{report}"
* activity[4].detail.status = #not-started
* activity[4].detail.doNotPerform = true
* activity[4].detail.description = "Do not use plasma exchange: ineffective in MMN."
* activity[5].detail.kind = #ServiceRequest
* activity[5].detail.code = $mmn-report#grip-strength
* activity[5].detail.reasonReference.reference = "{report}"
* activity[5].detail.status = #not-started
* activity[5].detail.description = "Monitor grip strength with a vigorimeter."
* activity[6].detail.kind = #ServiceRequest
* activity[6].detail.code = $mmn-report#mrc-sum-score
* activity[6].detail.reasonReference.reference = "{report}"
* activity[6].detail.status = #not-started
* activity[6].detail.description = "Monitor muscle strength with the MRC sum score."
* activity[7].detail.kind = #ServiceRequest
* activity[7].detail.code = $mmn-report#mmn-rods
* activity[7].detail.reasonReference.reference = "{report}"
* activity[7].detail.status = #not-started
* activity[7].detail.description = "Monitor disability with MMN-RODS."
* activity[8].detail.kind = #ServiceRequest
* activity[8].detail.code = $mmn-report#neuromuscular-follow-up
* activity[8].detail.reasonReference.reference = "{report}"
* activity[8].detail.status = #not-started
* activity[8].detail.description = "Neuromuscular follow-up to assess the response and adjust the dose and interval."
* activity[9].detail.kind = #ServiceRequest
* activity[9].detail.code = $mmn-report#physiotherapy
* activity[9].detail.reasonReference.reference = "{report}"
* activity[9].detail.status = #not-started
* activity[9].detail.description = "Physiotherapy as supportive care (not a guideline recommendation)."

RuleSet: DefiniteReportBody
* identifier[assessment].value = "a3f1c9e07b2d4e6f8a1b3c5d7e9f0a21"
* insert ReportHeader
* subject = Reference(Patient/pat-example-definite-ulnar-forearm)
* insert DefiniteResults
* conclusion = "Definite multifocal motor neuropathy (EFNS/PNS 2010): definite conduction block in the left ulnar nerve between wrist and below-elbow (area reduced 62 %, duration increased 8 %), normal sensory conduction of that nerve, weakness in 2 nerves for 22 months, no exclusion. Supportive: raised IgM anti-GM1."
* conclusionCode[category] = $mmn-category#definite "Definite MMN"
* conclusionCode[basis] = $mmn-basis#clinical-criteria-provided "Clinical criteria provided"
* conclusionCode[diagnosis] = $sct#230591002 "Multifocal motor neuropathy"
* text.status = #additional
* text.div = """
<div xmlns="http://www.w3.org/1999/xhtml">
  <p><b>Definite MMN</b> (EFNS/PNS 2010 criteria; clinical criteria provided).</p>
  <table>
    <thead>
      <tr><th>Nerve</th><th>Side</th><th>Segment</th><th>Area reduction</th><th>Duration increase</th><th>Grade</th><th>Why</th></tr>
    </thead>
    <tbody>
      <tr><td>Ulnar</td><td>Left</td><td>wrist to below-elbow</td><td>62 %</td><td>8 %</td><td>Definite CB</td><td>reduction &gt;= 50 % and increase &lt;= 30 %</td></tr>
      <tr><td>Ulnar</td><td>Left</td><td>below-elbow to above-elbow</td><td></td><td></td><td>Not graded</td><td>crosses the elbow, a common entrapment site</td></tr>
      <tr><td>Median</td><td>Left</td><td>wrist to elbow</td><td>5 %</td><td>6 %</td><td>No CB</td><td>reduction &lt; 30 %</td></tr>
    </tbody>
  </table>
  <ul>
    <li>Weakness in at least two nerves for more than one month: yes (2 nerves, 22 months)</li>
    <li>No objective sensory loss: yes</li>
    <li>Exclusions (upper motor neuron signs, marked bulbar involvement, diffuse symmetric weakness early): none</li>
    <li>Normal sensory conduction in the ulnar nerve with the block: yes (SNAP 19 uV, lower limit 10 uV)</li>
    <li>Supportive: raised IgM anti-GM1 (140 [arb'U]/mL, upper limit 50)</li>
  </ul>
</div>
"""

RuleSet: DefiniteCarePlanBody(report)
* identifier[careplan].value = "a3f1c9e07b2d4e6f8a1b3c5d7e9f0a21-1"
* instantiatesCanonical = "http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|0.2.0"
* status = #draft
* intent = #proposal
* subject = Reference(Patient/pat-example-definite-ulnar-forearm)
* supportingInfo.reference = "{report}"
* insert DefiniteActivities({report})

RuleSet: ClassifierDeviceBody
* identifier[classifier].value = "mmn-classifier-0.2.0-efns-pns-2010-0.2.0"
* deviceName.name = "FhirMmn MMN classifier"
* deviceName.type = #user-friendly-name
* version[software].type.text = "software"
* version[software].value = "0.2.0"
* version[criteria].type.text = "criteria"
* version[criteria].value = "efns-pns-2010 0.2.0"

RuleSet: ProvenanceBody(device)
* recorded = "2026-10-14T00:00:00Z"
* policy = "http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|0.2.0"
* agent[0].type = $provenance-participant-type#author "Author"
* agent[0].who.reference = "{device}"
* insert DefiniteEntities

RuleSet: ReportHeader
* status = #preliminary
* category[electroneuro] = $v2-0074#EN "Electroneuro (EEG, EMG,EP,PSG)"
* code.coding[loinc] = $loinc#51848-0 "Evaluation note"
* code.coding[mmn] = $mmn-report#mmn-assessment "Multifocal motor neuropathy assessment"
* effectiveDateTime = "2026-10-14"
* issued = "2026-10-14T00:00:00Z"

Instance: mmn-report-definite
InstanceOf: MmnDiagnosticReport
Usage: #example
Title: "Report: definite MMN"
Description: "The report for example-definite-ulnar-forearm: a definite conduction block in the left ulnar forearm segment, all clinical criteria provided."
* insert DefiniteReportBody

Instance: mmn-careplan-definite
InstanceOf: MmnCarePlan
Usage: #example
Title: "Care plan: definite MMN"
Description: "The care plan proposal for the definite report."
* insert DefiniteCarePlanBody(DiagnosticReport/mmn-report-definite)

Instance: mmn-report-insufficient
InstanceOf: MmnDiagnosticReport
Usage: #example
Title: "Report: insufficient data"
Description: "The report for example-insufficient-no-area: amplitudes only, so no segment can be graded."
* identifier[assessment].value = "5be08d3c1f7a4b29a6e4c0d2f8b1e937"
* insert ReportHeader
* subject = Reference(Patient/pat-example-insufficient-no-area)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-1)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-2)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-3)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-4)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-5)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-6)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-7)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-8)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-9)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-10)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-11)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-12)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-13)
* result[+] = Reference(Observation/example-insufficient-no-area-obs-14)
* conclusion = "The data are insufficient to classify: no CMAP negative-peak area or duration was reported, so no segment of the right median or ulnar nerve can be graded for conduction block. Measuring CMAP area and duration at every stimulation site would decide."
* conclusionCode[category] = $mmn-category#insufficient-data "Insufficient data"
* conclusionCode[basis] = $mmn-basis#clinical-criteria-provided "Clinical criteria provided"
* text.status = #additional
* text.div = """
<div xmlns="http://www.w3.org/1999/xhtml">
  <p><b>Insufficient data</b> (EFNS/PNS 2010 criteria; clinical criteria provided).</p>
  <table>
    <thead>
      <tr><th>Nerve</th><th>Side</th><th>Segment</th><th>Area reduction</th><th>Duration increase</th><th>Grade</th><th>Why</th></tr>
    </thead>
    <tbody>
      <tr><td>Median</td><td>Right</td><td>wrist to elbow</td><td></td><td></td><td>Not gradeable</td><td>CMAP area and duration missing</td></tr>
      <tr><td>Ulnar</td><td>Right</td><td>wrist to below-elbow</td><td></td><td></td><td>Not gradeable</td><td>CMAP area and duration missing</td></tr>
    </tbody>
  </table>
  <p>To decide: measure CMAP negative-peak area and duration at every stimulation site.</p>
</div>
"""

Instance: mmn-careplan-insufficient
InstanceOf: MmnCarePlan
Usage: #example
Title: "Care plan: insufficient data"
Description: "Only the test that would decide; this generation replaces a plan a clinician changed."
* identifier[careplan].value = "5be08d3c1f7a4b29a6e4c0d2f8b1e937-2"
* instantiatesCanonical = "http://fhirmmn.org/fhir/PlanDefinition/mmn-efns-pns-2010|0.2.0"
* replaces = Reference(CarePlan/clinician-edited-plan)
* status = #draft
* intent = #proposal
* subject = Reference(Patient/pat-example-insufficient-no-area)
* supportingInfo = Reference(mmn-report-insufficient)
* activity[0].detail.kind = #ServiceRequest
* activity[0].detail.code = $mmn-report#cmap-area-duration-measurement
* activity[0].detail.reasonReference = Reference(mmn-report-insufficient)
* activity[0].detail.status = #not-started
* activity[0].detail.description = "Measure CMAP negative-peak area and duration at every stimulation site of the right median and ulnar nerves."

Instance: fhirmmn-classifier
InstanceOf: MmnClassifierDevice
Usage: #example
Title: "The FhirMmn classifier"
Description: "The classifier Device with its software and criteria versions."
* insert ClassifierDeviceBody

Instance: mmn-provenance-definite
InstanceOf: MmnProvenance
Usage: #example
Title: "Provenance of the definite assessment"
Description: "Targets the report and the care plan; the classifier is the author; every input Observation is a source."
* target[0] = Reference(mmn-report-definite)
* target[1] = Reference(mmn-careplan-definite)
* insert ProvenanceBody(Device/fhirmmn-classifier)

// The write-back for example-definite-ulnar-forearm as the service sends it: one transaction, with
// conditional PUTs on the report and plan identifiers, urn:uuid fullUrls so that Provenance can point at
// them, and the Device created only if none has its identifier. Not a profile instance itself; each entry
// conforms to its profile (scripts/validate-profile.mjs checks them one by one).

Instance: writeback-transaction-definite
InstanceOf: Bundle
Usage: #example
Title: "Write-back transaction for the definite example"
Description: "DiagnosticReport, CarePlan, Device and Provenance in one transaction."
* type = #transaction
* entry[0].fullUrl = "urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b01"
* entry[0].resource = writeback-report
* entry[0].request.method = #PUT
* entry[0].request.url = "DiagnosticReport?identifier=http://fhirmmn.org/fhir/sid/assessment|a3f1c9e07b2d4e6f8a1b3c5d7e9f0a21"
* entry[1].fullUrl = "urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b02"
* entry[1].resource = writeback-careplan
* entry[1].request.method = #PUT
* entry[1].request.url = "CarePlan?identifier=http://fhirmmn.org/fhir/sid/care-plan|a3f1c9e07b2d4e6f8a1b3c5d7e9f0a21-1"
* entry[2].fullUrl = "urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b03"
* entry[2].resource = writeback-device
* entry[2].request.method = #POST
* entry[2].request.url = "Device"
* entry[2].request.ifNoneExist = "identifier=http://fhirmmn.org/fhir/sid/classifier|mmn-classifier-0.2.0-efns-pns-2010-0.2.0"
* entry[3].fullUrl = "urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b04"
* entry[3].resource = writeback-provenance
* entry[3].request.method = #POST
* entry[3].request.url = "Provenance"

Instance: writeback-report
InstanceOf: MmnDiagnosticReport
Usage: #inline
* insert DefiniteReportBody

Instance: writeback-careplan
InstanceOf: MmnCarePlan
Usage: #inline
* insert DefiniteCarePlanBody(urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b01)

Instance: writeback-device
InstanceOf: MmnClassifierDevice
Usage: #inline
* insert ClassifierDeviceBody

Instance: writeback-provenance
InstanceOf: MmnProvenance
Usage: #inline
* target[0].reference = "urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b01"
* target[1].reference = "urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b02"
* insert ProvenanceBody(urn:uuid:9b7e2c1a-4d3f-4e8b-a6c5-0f1e2d3c4b03)
