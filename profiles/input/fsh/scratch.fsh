Alias: $loinc = http://loinc.org
CodeSystem: Ncs
Id: ncs
Title: "NCS"
Description: "x"
* ^caseSensitive = true
* #stimulation-site "Stimulation site" "The site"
* #cmap-area "CMAP area" "area"

Profile: TestCmap
Parent: Observation
Id: test-cmap
Title: "t"
Description: "t"
* code = $loinc#98713-1
* value[x] only Quantity
* valueQuantity.code = #mV
* valueQuantity.system = "http://unitsofmeasure.org"
* component ^slicing.discriminator.type = #pattern
* component ^slicing.discriminator.path = "code"
* component ^slicing.rules = #open
* component contains site 1..1 and area 0..1
* component[site].code = Ncs#stimulation-site
* component[site].value[x] only CodeableConcept
* component[area].code = Ncs#cmap-area
* component[area].value[x] only Quantity
* component[area].valueQuantity.code = #mV.ms
* obeys t-1 and t-2 and t-3
* component obeys t-4

Invariant: t-1
Description: "value is Quantity"
Expression: "value.exists() implies (value is Quantity)"
Severity: #error

Invariant: t-2
Description: "units"
Expression: "value.exists() implies (value.ofType(Quantity).code = 'mV' and value.ofType(Quantity).system = 'http://unitsofmeasure.org')"
Severity: #error

Invariant: t-3
Description: "site component is CodeableConcept"
Expression: "component.where(code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'stimulation-site').exists()).all(value.ofType(CodeableConcept).exists())"
Severity: #error

Invariant: t-4
Description: "area unit"
Expression: "code.coding.where(system = 'http://fhirmmn.org/fhir/CodeSystem/ncs' and code = 'cmap-area').exists() implies (value.ofType(Quantity).code = 'mV.ms')"
Severity: #error
