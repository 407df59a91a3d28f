// Runs SUSHI (fsh-sushi, in process) on a SUSHI project with no network:
// - FHIR packages come only from a package cache folder we choose (inside profiles/, not ~/.fhir);
// - the registry and current-build clients refuse every download, so nothing can reach the network;
// - SUSHI's automatic dependencies (hl7.fhir.uv.tools.r4, hl7.terminology.r4, hl7.fhir.uv.extensions.r4,
//   all "latest") are not loaded: they need the registry, and nothing in this guide uses them. A FSH
//   reference to anything they define fails the build with a SUSHI error, so nothing degrades silently;
// - the CLI's "is there a newer SUSHI" check (npm view) is not run.
// Returns every generated resource as JSON, StructureDefinitions with snapshots, with version and
// publisher filled from sushi-config.yaml as the IG Publisher would.
import path from 'node:path';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const sushi = require('fsh-sushi');
const fpl = require('fhir-package-loader');
const { loadPredefinedResources } = require('fsh-sushi/dist/ig/predefinedResources.js');
const { R5_DEFINITIONS_NEEDED_IN_R4 } = require('fsh-sushi/dist/fhirdefs/R5DefsForR4/index.js');

const { utils, fhirdefs, sushiExport } = sushi;

class OfflineRegistryClient {
  constructor(cacheDir) {
    this.cacheDir = cacheDir;
  }

  async resolveVersion(name, version) {
    if (/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
      return version;
    }
    throw new Error(`offline build: cannot resolve ${name}#${version} without the package registry; pin an exact version`);
  }

  async download(name, version) {
    throw new Error(`offline build: ${name}#${version} is not in the package cache ${this.cacheDir}`);
  }
}

class OfflineCurrentBuildClient {
  async downloadCurrentBuild(name) {
    throw new Error(`offline build: no current build of ${name}`);
  }

  async getCurrentBuildDate(name) {
    throw new Error(`offline build: no current build of ${name}`);
  }
}

export const SKIPPED_AUTOMATIC_DEPENDENCIES = ['hl7.fhir.uv.tools.r4', 'hl7.terminology.r4', 'hl7.fhir.uv.extensions.r4'];

/**
 * @param {object} opts
 * @param {string} opts.projectDir  folder holding sushi-config.yaml and input/fsh
 * @param {string} opts.cacheDir    FHIR package cache (folders named name#version/package)
 * @param {string} [opts.logLevel]  'error' | 'warn' | 'info' | 'debug'
 * @returns {Promise<{resources: {fileName: string, usage?: string, json: object}[], errors: object[], warnings: object[]}>}
 *   usage is the FSH Usage of an Instance (Example, Definition); undefined for profiles, value sets, code systems
 */
export async function runSushiOffline({ projectDir, cacheDir, logLevel = 'warn' }) {
  const { logger, errorsAndWarnings, logMessage } = utils;
  logger.level = logLevel;
  errorsAndWarnings.reset();
  errorsAndWarnings.shouldTrack = true;

  const fshDir = path.join(projectDir, 'input', 'fsh');
  if (!fs.existsSync(fshDir)) {
    throw new Error(`no FSH folder at ${fshDir}`);
  }
  const config = utils.readConfig(projectDir);
  const tank = utils.fillTank(utils.getRawFSHes(fshDir), config);
  tank.checkDuplicateNameEntities();

  const log = (level, message) => logMessage(level, message);
  const defs = await fhirdefs.createFHIRDefinitions({
    packageCache: new fpl.DiskBasedPackageCache(cacheDir, { log }),
    registryClient: new OfflineRegistryClient(cacheDir),
    currentBuildClient: new OfflineCurrentBuildClient(),
  });

  // What SUSHI's loadExternalDependencies does for R4, minus the automatic dependencies:
  // the R5 resources allowed in R4 (shipped inside SUSHI), the configured dependencies, then FHIR core.
  const r5ForR4 = new Map(R5_DEFINITIONS_NEEDED_IN_R4.map((def) => [def.id, def]));
  await defs.loadVirtualPackage(new fpl.InMemoryVirtualPackage({ name: 'sushi-r5forR4', version: '1.0.0' }, r5ForR4, { log }));
  const fhirVersion = config.fhirVersion.find((v) => v.startsWith('4.0'));
  if (fhirVersion !== '4.0.1') {
    throw new Error(`this build supports fhirVersion 4.0.1 only (found ${config.fhirVersion})`);
  }
  for (const dep of config.dependencies ?? []) {
    const status = await defs.loadPackage(dep.packageId, dep.version);
    if (status !== 'LOADED') {
      logger.error(`Failed to load ${dep.packageId}#${dep.version} from ${cacheDir}`);
    }
  }
  logger.info(`Offline build: not loading SUSHI's automatic dependencies ${SKIPPED_AUTOMATIC_DEPENDENCIES.join(', ')}`);
  const coreStatus = await defs.loadPackage('hl7.fhir.r4.core', '4.0.1');
  if (coreStatus !== 'LOADED') {
    throw new Error(`hl7.fhir.r4.core#4.0.1 could not be loaded from ${cacheDir}`);
  }
  await loadPredefinedResources(defs, path.join(projectDir, 'input'), projectDir, config.parameters);
  defs.optimize();

  const outPackage = sushiExport.exportFHIR(tank, defs);
  const predefined = defs.allPredefinedResources();
  const artifacts = [
    ...outPackage.profiles,
    ...outPackage.extensions,
    ...outPackage.logicals,
    ...outPackage.resources,
    ...outPackage.valueSets,
    ...outPackage.codeSystems,
    ...outPackage.instances.filter((i) => i._instanceMeta.usage !== 'Inline'),
  ];
  // SUSHI (FSHOnly: false) leaves version and publisher of ValueSets, CodeSystems and profiles to the IG
  // Publisher, which fills them from the IG. The IG Publisher is not run here, so do that one step.
  const fillMetadata = (json) => {
    if (['StructureDefinition', 'ValueSet', 'CodeSystem'].includes(json.resourceType)) {
      json.version ??= config.version;
      json.publisher ??= config.publisher;
    }
    return json;
  };
  const resources = [];
  for (const artifact of artifacts) {
    const clash = predefined.find(
      (p) => p.resourceType === artifact.resourceType && p.id === artifact.id && p.url === artifact.url
    );
    if (clash) {
      logger.error(`${artifact.resourceType}/${artifact.id} is defined both in FSH and in input/`);
      continue;
    }
    const usage = artifact._instanceMeta?.usage;
    resources.push({ fileName: artifact.getFileName(), usage, json: fillMetadata(artifact.toJSON(true)) });
  }
  return {
    resources,
    errors: [...errorsAndWarnings.errors],
    warnings: [...errorsAndWarnings.warnings],
  };
}
