#!/usr/bin/env node
// Checks the FhirMmn examples and the deliberately broken resources with @medplum/core's validator.
//
//   node --experimental-websocket profiles/scripts/check-examples.mjs [--verbose]
//
// 1. Every example (generated/examples/*.json, input/examples/*.json) is valid against its profile;
//    feed bundles entry by entry. Every other generated resource is valid R4. Every profile has an example.
// 2. Every broken resource (tests/broken/cases.json) fails against its profile with an error whose text
//    or expression contains the case's "expect".
// 3. What Medplum enforces: each broken resource is validated again with the FhirMmn invariants (mmn-*)
//    removed from the profiles. "structure" and "entry" cases must still fail, "gap:*" and "invariant"
//    cases must pass, which shows which kinds of constraint Medplum does not read from the structure.
//    A few probes pin further behaviour profiles/README.md documents. If Medplum changes, this says what.
// Exit 0 only when all of it holds.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import './lib/websocket-flag.mjs';
import {
  GENERATED_DIR,
  hasErrors,
  listProfiles,
  profileForResource,
  validateBase,
  validateFhirMmn,
} from './validate-profile.mjs';

const PROFILES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BROKEN_DIR = path.join(PROFILES_DIR, 'tests', 'broken');
const verbose = process.argv.includes('--verbose');

const failures = [];
const rel = (file) => path.relative(PROFILES_DIR, file);
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const jsonFiles = (dir) =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
const errorsOf = (outcome) => outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
const describe = (i) => `${i.expression?.[0] ?? ''}: ${i.details?.text ?? i.diagnostics ?? ''}`;

function stripFhirMmnInvariants(sd) {
  const copy = structuredClone(sd);
  for (const element of copy.snapshot.element) {
    if (element.constraint) {
      element.constraint = element.constraint.filter((c) => !c.key.startsWith('mmn-'));
    }
  }
  return copy;
}

// 1. Examples
console.log('Examples');
const exampleFiles = [...jsonFiles(path.join(GENERATED_DIR, 'examples')), ...jsonFiles(path.join(PROFILES_DIR, 'input', 'examples'))];
const covered = new Set();
for (const file of exampleFiles) {
  const resource = readJson(file);
  const profile = profileForResource(resource);
  if (!profile && resource.resourceType !== 'Bundle') {
    failures.push(`${rel(file)}: no FhirMmn profile applies to this example`);
    console.log(`  FAIL ${rel(file)} (no profile)`);
    continue;
  }
  const label = profile ?? 'R4 Bundle, entries against their profiles';
  covered.add(profile);
  for (const entry of resource.resourceType === 'Bundle' ? (resource.entry ?? []) : []) {
    covered.add(entry?.resource && profileForResource(entry.resource));
  }
  const outcome = validateFhirMmn(resource);
  const issues = outcome.issue.filter((i) => i.severity !== 'information');
  if (hasErrors(outcome)) {
    failures.push(`${rel(file)} is not valid against ${label}:\n      ${errorsOf(outcome).map(describe).join('\n      ')}`);
    console.log(`  FAIL ${rel(file)} (${label})`);
  } else {
    console.log(`  ok   ${rel(file)} (${label})${issues.length ? ` ${issues.length} warning(s)` : ''}`);
  }
  if (verbose || !hasErrors(outcome)) {
    for (const i of issues.filter((x) => x.severity === 'warning')) {
      console.log(`         warning ${describe(i)}`);
    }
  }
}
for (const file of jsonFiles(GENERATED_DIR)) {
  const resource = readJson(file);
  const outcome = validateBase(resource);
  if (hasErrors(outcome)) {
    failures.push(`${rel(file)} is not valid R4:\n      ${errorsOf(outcome).map(describe).join('\n      ')}`);
    console.log(`  FAIL ${rel(file)} (R4 ${resource.resourceType})`);
  } else if (verbose) {
    console.log(`  ok   ${rel(file)} (R4 ${resource.resourceType})`);
  }
}
const profiles = listProfiles();
const uncovered = profiles.filter((p) => !covered.has(p.id));
for (const p of uncovered) {
  failures.push(`profile ${p.id} has no example`);
}
console.log(`  ${exampleFiles.length} examples; ${profiles.length - uncovered.length}/${profiles.length} profiles have one; ${jsonFiles(GENERATED_DIR).length} generated definitions checked as R4`);

// 2 and 3. Broken resources
console.log('Broken resources (must fail)');
const { cases } = readJson(path.join(BROKEN_DIR, 'cases.json'));
const listed = new Set(cases.map((c) => c.file));
for (const file of jsonFiles(BROKEN_DIR)) {
  if (path.basename(file) !== 'cases.json' && !listed.has(path.basename(file))) {
    failures.push(`${rel(file)} is not listed in tests/broken/cases.json`);
  }
}
const tally = {};
for (const c of cases) {
  const resource = readJson(path.join(BROKEN_DIR, c.file));
  const outcome = validateFhirMmn(resource, { profile: c.profile });
  const errors = errorsOf(outcome);
  const matching = errors.filter((i) => describe(i).includes(c.expect) || (i.diagnostics ?? '').includes(c.expect));
  let status = 'ok  ';
  if (errors.length === 0) {
    status = 'FAIL';
    failures.push(`tests/broken/${c.file} passed ${c.profile} but must fail (${c.note})`);
  } else if (matching.length === 0) {
    status = 'FAIL';
    failures.push(`tests/broken/${c.file} failed, but not for the stated reason "${c.expect}"; errors:\n      ${errors.map(describe).join('\n      ')}`);
  }
  // What Medplum enforces without the invariants
  const stripped = validateFhirMmn(resource, { profile: c.profile, transformProfile: stripFhirMmnInvariants });
  const strippedFails = hasErrors(stripped);
  const expectStrippedFail = c.structure === 'structure' || c.structure === 'entry';
  if (strippedFails !== expectStrippedFail) {
    status = 'FAIL';
    failures.push(
      `tests/broken/${c.file}: without the mmn-* invariants Medplum ${strippedFails ? 'rejects' : 'accepts'} it, but cases.json says "${c.structure}"` +
        (strippedFails ? `:\n      ${errorsOf(stripped).map(describe).join('\n      ')}` : '') +
        '\n      (Medplum\'s enforcement changed? Update cases.json and the README section on Medplum.)'
    );
  }
  tally[c.structure] = (tally[c.structure] ?? 0) + 1;
  console.log(`  ${status} ${c.file.padEnd(52)} [${c.structure}] ${(matching[0] && describe(matching[0])) || ''}`.trimEnd());
}

// Documented behaviour that no broken case shows: each probe must keep holding for the README to be right.
console.log('Probes (Medplum behaviour the README documents)');
const warnings = (o) => o.issue.filter((i) => i.severity === 'warning').map(describe);
const probes = [
  {
    name: 'a reference of the wrong resource type is only a warning',
    profile: 'mmn-careplan',
    base: 'CarePlan-mmn-careplan-definite.json',
    mutate: (r) => {
      r.supportingInfo = [{ reference: 'Condition/some-condition' }];
    },
    holds: (o) => !hasErrors(o) && warnings(o).some((w) => w.includes('Invalid reference')),
  },
  {
    name: 'the required binding of a base element (Observation.status) is not checked',
    profile: 'mmn-clinical-finding-observation',
    base: 'Observation-clinical-weakness-nerve-count.json',
    mutate: (r) => {
      r.status = 'not-a-status';
    },
    holds: (o) => !hasErrors(o),
  },
  {
    name: 'Medplum skips invariants of severity warning; validate-profile.mjs reports them (mmn-gm1-3)',
    profile: 'mmn-anti-gm1-observation',
    base: 'Observation-anti-gm1-quantity.json',
    mutate: (r) => {
      r.referenceRange[0].high.code = '[IU]/mL';
    },
    holds: (o) =>
      !hasErrors(o) &&
      o.issue.filter((i) => i.severity === 'warning').length === 1 &&
      warnings(o)[0].includes('mmn-gm1-3') &&
      o.issue[0].diagnostics?.includes('fhirpath'),
  },
  {
    name: 'only the first failed invariant of an element is reported (mmn-cmap-1 hides mmn-cmap-3)',
    profile: 'mmn-cmap-observation',
    base: 'Observation-cmap-ulnar-left-wrist.json',
    mutate: (r) => {
      r.valueQuantity.code = 'mA';
      r.referenceRange[0].low.code = 'ms';
    },
    holds: (o) => errorsOf(o).length === 1 && describe(errorsOf(o)[0]).includes('mmn-cmap-1'),
  },
];
for (const probe of probes) {
  const resource = readJson(path.join(GENERATED_DIR, 'examples', probe.base));
  probe.mutate(resource);
  const outcome = validateFhirMmn(resource, { profile: probe.profile });
  if (probe.holds(outcome)) {
    console.log(`  ok   ${probe.name}`);
  } else {
    failures.push(`probe "${probe.name}" no longer holds; update profiles/README.md. Issues:\n      ${outcome.issue.map(describe).join('\n      ')}`);
    console.log(`  FAIL ${probe.name}`);
  }
}

console.log('');
console.log(
  `Summary: ${exampleFiles.length} examples valid; ${cases.length} broken resources rejected ` +
    `(${Object.entries(tally)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); ${probes.length} probes`
);
if (failures.length > 0) {
  console.log(`\n${failures.length} problem(s):`);
  for (const f of failures) {
    console.log(`  - ${f}`);
  }
  console.log('RESULT: FAIL');
  process.exitCode = 1;
} else {
  console.log('RESULT: PASS');
}
