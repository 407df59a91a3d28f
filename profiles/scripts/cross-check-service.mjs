#!/usr/bin/env node
// Cross-checks the profiles against the service's own reader and builders (the FhirMmn CLI):
// - every broken feed resource in tests/broken/ is refused by `fhirmmn validate` (exit 2);
// - every feed example (generated/examples, input/examples) is accepted (exit 0);
// - `fhirmmn classify` of every feed example gives a write-back whose resources conform to the profiles.
// A disagreement means the profiles and the service read the contract differently.
//
//   dotnet build src/FhirMmn.Cli -o /tmp/fhirmmn-cli
//   node profiles/scripts/cross-check-service.mjs --cli "dotnet /tmp/fhirmmn-cli/fhirmmn.dll"
// (--cli defaults to "dotnet run --project src/FhirMmn.Cli --", which is correct but slow.)
// A single Observation is sent inside a collection Bundle with a Patient, both with RESTful fullUrls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import './lib/websocket-flag.mjs';
import { GENERATED_DIR, hasErrors, profileForResource, validateFhirMmn } from './validate-profile.mjs';

const PROFILES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = path.resolve(PROFILES_DIR, '..');
const FEED_PROFILES = new Set([
  'mmn-cmap-observation',
  'mmn-snap-observation',
  'mmn-anti-gm1-observation',
  'mmn-clinical-finding-observation',
  'mmn-feed-bundle',
]);

function parseArgs(argv) {
  let cli = 'dotnet run --project src/FhirMmn.Cli --';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cli' && argv[i + 1]) {
      cli = argv[++i];
    } else {
      console.error('usage: node profiles/scripts/cross-check-service.mjs [--cli "COMMAND"]');
      process.exit(1);
    }
  }
  return cli.split(' ').filter(Boolean);
}

const cli = parseArgs(process.argv.slice(2));
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhirmmn-xcheck-'));
let counter = 0;

function run(command, resource) {
  const file = path.join(tempDir, `input-${counter++}.json`);
  fs.writeFileSync(file, JSON.stringify(resource));
  const result = spawnSync(cli[0], [...cli.slice(1), command, file, '--compact'], { cwd: REPO_DIR, encoding: 'utf8' });
  if (result.error || (result.status !== 0 && result.status !== 2)) {
    console.error(`cannot run ${cli.join(' ')} ${command}: ${result.error?.message ?? result.stderr}`);
    process.exit(1);
  }
  let output;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = undefined;
  }
  return { status: result.status, output };
}

function asFeed(resource) {
  if (resource.resourceType === 'Bundle') {
    return resource;
  }
  const subject = resource.subject?.reference?.startsWith('Patient/') ? resource.subject.reference.slice('Patient/'.length) : 'cross-check';
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { fullUrl: `https://ehr.example.org/fhir/Patient/${subject}`, resource: { resourceType: 'Patient', id: subject } },
      { fullUrl: `https://ehr.example.org/fhir/Observation/${resource.id ?? 'x'}`, resource },
    ],
  };
}

const firstError = (outcome) =>
  (outcome?.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression?.[0] ?? ''}: ${i.details?.text ?? ''}`)[0] ?? '';
const disagreements = [];
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

console.log('Broken feed resources: the service must refuse them');
const { cases } = readJson(path.join(PROFILES_DIR, 'tests', 'broken', 'cases.json'));
for (const c of cases.filter((x) => FEED_PROFILES.has(x.profile))) {
  const { status, output } = run('validate', asFeed(readJson(path.join(PROFILES_DIR, 'tests', 'broken', c.file))));
  const refused = status === 2;
  if (!refused) {
    disagreements.push(`tests/broken/${c.file}: the profile rejects it (${c.expect}) but the service accepts it`);
  }
  console.log(`  ${refused ? 'ok  ' : 'DIFF'} ${c.file.padEnd(52)} ${refused ? firstError(output).slice(0, 100) : 'accepted'}`);
}

console.log('Feed examples: the service must accept them, and its write-back must conform');
const feedExamples = [
  ...fs.readdirSync(path.join(GENERATED_DIR, 'examples')).map((f) => path.join(GENERATED_DIR, 'examples', f)),
  ...fs.readdirSync(path.join(PROFILES_DIR, 'input', 'examples')).map((f) => path.join(PROFILES_DIR, 'input', 'examples', f)),
]
  .filter((f) => f.endsWith('.json'))
  .sort()
  .filter((f) => FEED_PROFILES.has(profileForResource(readJson(f))));
for (const file of feedExamples) {
  const feed = asFeed(readJson(file));
  const checked = run('validate', feed);
  let verdict = 'ok  ';
  let detail = '';
  if (checked.status !== 0) {
    verdict = 'DIFF';
    detail = firstError(checked.output);
    disagreements.push(`${path.relative(PROFILES_DIR, file)}: valid against its profile but refused by the service: ${detail}`);
  } else {
    const { status, output } = run('classify', feed);
    const outcome = status === 0 ? validateFhirMmn(output) : undefined;
    if (!outcome || hasErrors(outcome)) {
      verdict = 'DIFF';
      detail = outcome ? firstError(outcome) : 'classify failed';
      disagreements.push(`${path.relative(PROFILES_DIR, file)}: the service's write-back does not conform: ${detail}`);
    } else {
      detail = `write-back: ${output.entry.map((e) => e.resource.resourceType).join(', ')}`;
    }
  }
  console.log(`  ${verdict} ${path.relative(PROFILES_DIR, file).padEnd(60)} ${detail.slice(0, 90)}`);
}

fs.rmSync(tempDir, { recursive: true, force: true });
console.log('');
if (disagreements.length > 0) {
  console.log(`${disagreements.length} disagreement(s):`);
  for (const d of disagreements) {
    console.log(`  - ${d}`);
  }
  console.log('RESULT: FAIL');
  process.exitCode = 1;
} else {
  console.log('RESULT: PASS (profiles and service agree on every case)');
}
