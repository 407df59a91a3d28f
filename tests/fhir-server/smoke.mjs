// Self-check of the test FHIR server: starts server.mjs on a free port with a seed file, exercises every
// behaviour FhirMmn relies on, prints a summary, stops the server, exits 1 on any failure.
//
//   node --experimental-websocket tests/fhir-server/smoke.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const SID = 'http://hospital.example/sid/mrn';
const REPORT_SID = 'http://fhirmmn.org/fhir/sid/assessment';
const PLAN_SID = 'http://fhirmmn.org/fhir/sid/care-plan';
const DEVICE_SID = 'http://fhirmmn.org/fhir/sid/device';
const TAG_SYSTEM = 'http://fhirmmn.org/fhir/CodeSystem/provenance-tag';

// ---------------------------------------------------------------------------------------------------------
// Server process

async function startServer(args) {
  const child = spawn(process.execPath, ['--experimental-websocket', SERVER, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server not ready after 60 s; stderr: ${stderr}`));
    }, 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready; stderr: ${stderr}`));
    });
  });
  const extra = [];
  lines.on('line', (line) => extra.push(line));
  const stop = () =>
    new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000); // a server that ignores SIGTERM fails below
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdoutAfterReady: extra, stderr });
      });
      child.kill('SIGTERM');
    });
  return { ready, stop };
}

// ---------------------------------------------------------------------------------------------------------
// Client helpers

let BASE;

async function fhir(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: 'application/fhir+json', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/fhir+json';
  }
  const response = await fetch(`${BASE}/${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

const transaction = (...entry) => fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
const uuid = () => `urn:uuid:${randomUUID()}`;
const search = async (query) => {
  const result = await fhir('GET', query);
  assert.equal(result.status, 200, `GET ${query}: ${JSON.stringify(result.body)}`);
  assert.equal(result.body.type, 'searchset');
  return result.body;
};
const ids = (bundle) => (bundle.entry ?? []).map((entry) => entry.resource.id);

function report(identifier, subject = { reference: 'Patient/smoke-p1' }, extra = {}) {
  return {
    resourceType: 'DiagnosticReport',
    identifier: [{ system: REPORT_SID, value: identifier }],
    status: 'preliminary',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'EN' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '51848-0' }] },
    subject,
    conclusion: 'smoke',
    ...extra,
  };
}

function carePlan(identifier, reportRef, subject = { reference: 'Patient/smoke-p1' }) {
  return {
    resourceType: 'CarePlan',
    identifier: [{ system: PLAN_SID, value: identifier }],
    status: 'draft',
    intent: 'proposal',
    subject,
    supportingInfo: [{ reference: reportRef }],
  };
}

function provenance(tag, targets) {
  return {
    resourceType: 'Provenance',
    meta: { tag: [{ system: TAG_SYSTEM, code: tag }] },
    target: targets.map((reference) => ({ reference })),
    recorded: '2024-05-01T10:00:00Z',
    agent: [{ who: { display: 'FhirMmn classifier' } }],
  };
}

const putReport = (fullUrl, identifier, resource = report(identifier), ifMatch) => ({
  fullUrl,
  resource,
  request: { method: 'PUT', url: `DiagnosticReport?identifier=${REPORT_SID}|${identifier}`, ...(ifMatch ? { ifMatch } : {}) },
});
const putPlan = (fullUrl, identifier, reportRef) => ({
  fullUrl,
  resource: carePlan(identifier, reportRef),
  request: { method: 'PUT', url: `CarePlan?identifier=${PLAN_SID}|${identifier}` },
});
const postProvenance = (fullUrl, tag, targets) => ({
  fullUrl,
  resource: provenance(tag, targets),
  request: { method: 'POST', url: 'Provenance', ifNoneExist: `_tag=${TAG_SYSTEM}|${tag}` },
});

function assertOutcome(result, status, textPart) {
  assert.equal(result.status, status, JSON.stringify(result.body));
  assert.equal(result.body.resourceType, 'OperationOutcome');
  assert.ok(result.body.issue?.length > 0);
  if (textPart) {
    const text = result.body.issue.map((issue) => `${issue.details?.text ?? ''} ${issue.diagnostics ?? ''} ${issue.expression ?? ''}`).join('\n');
    assert.ok(text.includes(textPart), `outcome should mention ${textPart}: ${text}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Checks

const checks = [];
const check = (name, fn) => checks.push({ name, fn });

check('metadata answers a CapabilityStatement (GET and HEAD)', async () => {
  const result = await fhir('GET', 'metadata');
  assert.equal(result.status, 200);
  assert.match(result.headers.get('content-type'), /^application\/fhir\+json/);
  assert.equal(result.body.resourceType, 'CapabilityStatement');
  assert.equal(result.body.fhirVersion, '4.0.1');
  const rest = result.body.rest[0];
  assert.deepEqual(rest.interaction.map((i) => i.code).sort(), ['batch', 'transaction']);
  const dr = rest.resource.find((r) => r.type === 'DiagnosticReport');
  assert.equal(dr.conditionalUpdate, true);
  assert.ok(dr.searchParam.some((p) => p.name === 'identifier'));
  const head = await fetch(`${BASE}/metadata`, { method: 'HEAD' });
  assert.equal(head.status, 200);
});

check('seeded Patients are readable with their ids and searchable by identifier', async () => {
  const read = await fhir('GET', 'Patient/smoke-p1');
  assert.equal(read.status, 200);
  assert.equal(read.body.id, 'smoke-p1');
  assert.equal(read.body.meta.versionId, '1');
  assert.equal(read.headers.get('etag'), 'W/"1"');
  assert.ok(read.headers.get('last-modified'));
  const found = await search(`Patient?identifier=${SID}|mrn-1`);
  assert.deepEqual(ids(found), ['smoke-p1']);
  assert.equal(found.entry[0].fullUrl, `${BASE}/Patient/smoke-p1`);
});

check('a transaction Bundle as seed runs as a transaction (conditional create, urn:uuid references)', async () => {
  const practitioner = await search(`Practitioner?identifier=${SID}|doc-1`);
  assert.equal(practitioner.total, 1);
  const role = await search(`PractitionerRole?practitioner=Practitioner/${practitioner.entry[0].resource.id}`);
  assert.equal(role.total, 1);
});

check('an invalid seed stops the server before ready (exit 1, reason on stderr)', async () => {
  const bad = join(seedDir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ resourceType: 'Patient', id: 'bad', birthDate: 'yesterday' }));
  await assert.rejects(startServer(['--seed', bad]), /exited with 1 before ready; stderr: .*birthDate/s);
});

check('application/json works in and out', async () => {
  const result = await fhir('POST', 'Basic', { resourceType: 'Basic', code: { text: 'json' } }, {
    'Content-Type': 'application/json',
    Accept: 'application/json',
  });
  assert.equal(result.status, 201);
  assert.match(result.headers.get('content-type'), /^application\/json/);
});

let reportId;
check('conditional update in a transaction: create (201, version 1), then update (200, same id, version 2)', async () => {
  const first = await transaction(putReport(uuid(), 'cu-1'));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.type, 'transaction-response');
  const created = first.body.entry[0];
  assert.equal(created.response.status, '201 Created');
  reportId = created.resource.id;
  assert.equal(created.response.location, `DiagnosticReport/${reportId}/_history/1`);
  assert.equal(created.response.etag, 'W/"1"');
  assert.equal(created.response.lastModified, created.resource.meta.lastUpdated);
  assert.equal(created.fullUrl, `${BASE}/DiagnosticReport/${reportId}`);

  const second = await transaction(putReport(uuid(), 'cu-1', report('cu-1', undefined, { conclusion: 'second' })));
  assert.equal(second.status, 200);
  const updated = second.body.entry[0];
  assert.equal(updated.response.status, '200 OK');
  assert.equal(updated.resource.id, reportId);
  assert.equal(updated.resource.meta.versionId, '2');
  assert.equal(updated.response.location, `DiagnosticReport/${reportId}/_history/2`);
  assert.equal(updated.response.etag, 'W/"2"');
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|cu-1`)).total, 1);
});

check('read, vread and _history (newest first, stable across calls, _count)', async () => {
  const read = await fhir('GET', `DiagnosticReport/${reportId}`);
  assert.equal(read.headers.get('etag'), 'W/"2"');
  assert.equal(read.body.conclusion, 'second');
  const v1 = await fhir('GET', `DiagnosticReport/${reportId}/_history/1`);
  assert.equal(v1.status, 200);
  assert.equal(v1.body.conclusion, 'smoke');
  assert.equal(v1.headers.get('etag'), 'W/"1"');
  for (let i = 0; i < 3; i++) {
    const history = await fhir('GET', `DiagnosticReport/${reportId}/_history`);
    assert.equal(history.status, 200);
    assert.equal(history.body.type, 'history');
    assert.deepEqual(history.body.entry.map((e) => e.resource.meta.versionId), ['2', '1']);
  }
  const page = await fhir('GET', `DiagnosticReport/${reportId}/_history?_count=1`);
  assert.deepEqual(page.body.entry.map((e) => e.resource.meta.versionId), ['2']);
  assert.equal((await fhir('GET', `DiagnosticReport/${reportId}/_history/9`)).status, 404);
  assertOutcome(await fhir('GET', 'DiagnosticReport/no-such-id'), 404);
});

check('ifMatch with the current version updates; a bare version number is read as W/"n"', async () => {
  const withEtag = await transaction(putReport(uuid(), 'cu-1', report('cu-1', undefined, { conclusion: 'third' }), 'W/"2"'));
  assert.equal(withEtag.status, 200, JSON.stringify(withEtag.body));
  assert.equal(withEtag.body.entry[0].response.etag, 'W/"3"');
  const bare = await transaction(putReport(uuid(), 'cu-1', report('cu-1', undefined, { conclusion: 'fourth' }), '3'));
  assert.equal(bare.status, 200, JSON.stringify(bare.body));
  assert.equal(bare.body.entry[0].response.etag, 'W/"4"');
});

check('ifMatch with a stale version: 412, OperationOutcome, nothing of the transaction written', async () => {
  const planUrn = uuid();
  const reportUrn = uuid();
  const result = await transaction(
    putPlan(planUrn, 'stale-plan', reportUrn),
    putReport(reportUrn, 'cu-1', report('cu-1', undefined, { conclusion: 'stale' }), 'W/"2"'),
    postProvenance(uuid(), 'stale-prov', [reportUrn, planUrn]),
  );
  assertOutcome(result, 412, 'W/"4"');
  assert.equal((await search(`CarePlan?identifier=${PLAN_SID}|stale-plan`)).total, 0);
  assert.equal((await search(`Provenance?_tag=${TAG_SYSTEM}|stale-prov`)).total, 0);
  const current = await fhir('GET', `DiagnosticReport/${reportId}`);
  assert.equal(current.body.meta.versionId, '4');
  assert.equal(current.body.conclusion, 'fourth');
});

check('ifMatch on a conditional PUT that matches nothing: 412, nothing created', async () => {
  const result = await transaction(putReport(uuid(), 'never-written', undefined, 'W/"1"'));
  assertOutcome(result, 412);
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|never-written`)).total, 0);
});

check('a transaction failing while entries are written rolls back every entry (creates and updates)', async () => {
  const invalid = report('rollback-new');
  delete invalid.code; // DiagnosticReport.code is required: the server refuses it
  const result = await transaction(
    postProvenance(uuid(), 'rollback-prov', [`DiagnosticReport/${reportId}`]), // creates run first
    putReport(uuid(), 'cu-1', report('cu-1', undefined, { conclusion: 'rolled back' })), // an update of an existing one
    putReport(uuid(), 'rollback-new', invalid),
  );
  assertOutcome(result, 400, 'code');
  assert.equal((await search(`Provenance?_tag=${TAG_SYSTEM}|rollback-prov`)).total, 0);
  const current = await fhir('GET', `DiagnosticReport/${reportId}`);
  assert.equal(current.body.meta.versionId, '4');
  assert.equal(current.body.conclusion, 'fourth');
  const history = await fhir('GET', `DiagnosticReport/${reportId}/_history`);
  assert.deepEqual(history.body.entry.map((e) => e.resource.meta.versionId), ['4', '3', '2', '1']);
  // an update that changes the identifier, rolled back: searches find the resource by its old identifier only
  const renamed = { ...current.body, identifier: [{ system: REPORT_SID, value: 'renamed' }] };
  const failedRename = await transaction({ resource: renamed, request: { method: 'PUT', url: `DiagnosticReport/${reportId}` } }, putReport(uuid(), 'rollback-new', invalid));
  assertOutcome(failedRename, 400);
  assert.deepEqual(ids(await search(`DiagnosticReport?identifier=${REPORT_SID}|cu-1`)), [reportId]);
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|renamed`)).total, 0);
  // the version numbering carries on where it was
  const next = await transaction(putReport(uuid(), 'cu-1', report('cu-1', undefined, { conclusion: 'fifth' })));
  assert.equal(next.body.entry[0].response.etag, 'W/"5"');
});

check('ifNoneExist on identifier creates once (second time: 200 and the existing id)', async () => {
  const device = {
    resourceType: 'Device',
    identifier: [{ system: DEVICE_SID, value: 'classifier-1' }],
    deviceName: [{ name: 'FhirMmn classifier', type: 'model-name' }],
  };
  const entry = () => ({ fullUrl: uuid(), resource: device, request: { method: 'POST', url: 'Device', ifNoneExist: `identifier=${DEVICE_SID}|classifier-1` } });
  const first = await transaction(entry());
  assert.equal(first.body.entry[0].response.status, '201 Created');
  const second = await transaction(entry());
  assert.equal(second.status, 200);
  assert.equal(second.body.entry[0].response.status, '200 OK');
  assert.equal(second.body.entry[0].resource.id, first.body.entry[0].resource.id);
  assert.equal(second.body.entry[0].response.location, first.body.entry[0].response.location);
  assert.equal((await search(`Device?identifier=${DEVICE_SID}|classifier-1`)).total, 1);
  // the same at the top level, with the If-None-Exist header
  const top = await fhir('POST', 'Device', device, { 'If-None-Exist': `identifier=${DEVICE_SID}|classifier-1` });
  assert.equal(top.status, 200);
  assert.equal(top.body.id, first.body.entry[0].resource.id);
});

check('ifNoneExist on _tag creates once; urn:uuid references to it resolve to the existing resource', async () => {
  const reportUrn = uuid();
  const provUrn = uuid();
  const basic = (urn) => ({ fullUrl: uuid(), resource: { resourceType: 'Basic', code: { text: 'points at provenance' }, subject: { reference: urn } }, request: { method: 'POST', url: 'Basic' } });
  const first = await transaction(putReport(reportUrn, 'tag-1'), postProvenance(provUrn, 'tag-1', [reportUrn]), basic(provUrn));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const provId = first.body.entry[1].resource.id;
  assert.equal(first.body.entry[1].response.status, '201 Created');
  const again = await transaction(putReport(reportUrn, 'tag-1'), postProvenance(provUrn, 'tag-1', [reportUrn]), basic(provUrn));
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.entry[1].response.status, '200 OK');
  assert.equal(again.body.entry[1].resource.id, provId);
  assert.equal(again.body.entry[2].resource.subject.reference, `Provenance/${provId}`);
  assert.equal((await search(`Provenance?_tag=${TAG_SYSTEM}|tag-1`)).total, 1);
});

check('urn:uuid fullUrls are resolved in references between entries', async () => {
  const reportUrn = uuid();
  const planUrn = uuid();
  const result = await transaction(
    postProvenance(uuid(), 'urn-1', [reportUrn, planUrn]),
    putPlan(planUrn, 'urn-plan', reportUrn),
    putReport(reportUrn, 'urn-report'),
  );
  assert.equal(result.status, 200, JSON.stringify(result.body));
  const [prov, plan, dr] = result.body.entry.map((entry) => entry.resource);
  assert.deepEqual(prov.target.map((t) => t.reference), [`DiagnosticReport/${dr.id}`, `CarePlan/${plan.id}`]);
  assert.equal(plan.supportingInfo[0].reference, `DiagnosticReport/${dr.id}`);
  const stored = await fhir('GET', `Provenance/${prov.id}`);
  assert.equal(stored.body.target[0].reference, `DiagnosticReport/${dr.id}`);
});

check('a urn:uuid reference naming no entry: 400, nothing written', async () => {
  const result = await transaction(putReport(uuid(), 'dangling'), postProvenance(uuid(), 'dangling', [uuid()]));
  assertOutcome(result, 400, 'names no entry');
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|dangling`)).total, 0);
});

check('conditional Patient reference resolved to the matching Patient', async () => {
  const subject = { reference: `Patient?identifier=${SID}|mrn-1` };
  const result = await transaction(putReport(uuid(), 'cond-ref', report('cond-ref', subject)));
  assert.equal(result.status, 200, JSON.stringify(result.body));
  assert.equal(result.body.entry[0].resource.subject.reference, 'Patient/smoke-p1');
  const stored = await search(`DiagnosticReport?identifier=${REPORT_SID}|cond-ref`);
  assert.equal(stored.entry[0].resource.subject.reference, 'Patient/smoke-p1');
  // and in a single create
  const single = await fhir('POST', 'DiagnosticReport', report('cond-ref-single', subject));
  assert.equal(single.status, 201);
  assert.equal(single.body.subject.reference, 'Patient/smoke-p1');
});

check('conditional reference with no match: 404 naming it, nothing written; with two matches: 412', async () => {
  const missing = await transaction(
    putPlan(uuid(), 'no-patient-plan', 'DiagnosticReport/x'),
    putReport(uuid(), 'no-patient', report('no-patient', { reference: `Patient?identifier=${SID}|nobody` })),
  );
  assertOutcome(missing, 404, `Patient?identifier=${SID}|nobody`);
  assert.equal((await search(`CarePlan?identifier=${PLAN_SID}|no-patient-plan`)).total, 0);
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|no-patient`)).total, 0);
  const twice = await transaction(putReport(uuid(), 'two-patients', report('two-patients', { reference: `Patient?identifier=${SID}|twin` })));
  assertOutcome(twice, 412, 'more than one');
});

check('conditional PUT matching several resources: 412', async () => {
  for (let i = 0; i < 2; i++) assert.equal((await fhir('POST', 'DiagnosticReport', report('dup'))).status, 201);
  const result = await transaction(putReport(uuid(), 'dup'));
  assertOutcome(result, 412, 'more than one');
  const top = await fhir('PUT', `DiagnosticReport?identifier=${REPORT_SID}|dup`, report('dup'));
  assertOutcome(top, 412);
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|dup`)).total, 2);
});

check('search by identifier, subject, patient, _tag, _count (with next link), _sort=-_lastUpdated', async () => {
  const subject = { reference: 'Patient/smoke-p2' };
  const made = [];
  for (let i = 0; i < 3; i++) {
    const result = await transaction(putReport(uuid(), `search-${i}`, report(`search-${i}`, subject)));
    made.push(result.body.entry[0].resource.id);
  }
  assert.deepEqual(ids(await search(`DiagnosticReport?identifier=${REPORT_SID}|search-1`)), [made[1]]);
  assert.deepEqual(ids(await search('DiagnosticReport?identifier=search-2')), [made[2]]);
  assert.equal((await search('DiagnosticReport?identifier=http://other|search-2')).total, 0);
  assert.deepEqual(ids(await search('DiagnosticReport?subject=Patient/smoke-p2&_sort=-_lastUpdated')), [...made].reverse());
  assert.deepEqual(ids(await search('DiagnosticReport?patient=Patient/smoke-p2&_sort=_lastUpdated')), made);
  assert.equal((await search('DiagnosticReport?subject=Patient/smoke-p2&identifier=search-0')).total, 1);
  assert.deepEqual(ids(await search(`DiagnosticReport?_id=${made[1]}`)), [made[1]]);
  const page = await search('DiagnosticReport?subject=Patient/smoke-p2&_sort=-_lastUpdated&_count=2');
  assert.equal(page.total, 3);
  assert.deepEqual(ids(page), [made[2], made[1]]);
  const next = page.link.find((link) => link.relation === 'next');
  assert.ok(next, 'next link');
  const rest = await search(next.url.slice(BASE.length + 1));
  assert.deepEqual(ids(rest), [made[0]]);
  assert.equal((await search(`Provenance?_tag=${TAG_SYSTEM}|urn-1`)).total, 1);
  assert.equal((await search(`CarePlan?subject=Patient/smoke-p1&identifier=${PLAN_SID}|urn-plan`)).total, 1);
});

check('indexed identifier and _tag searches find what a full scan finds (after updates, rollbacks, in any case)', async () => {
  assert.equal((await transaction(putReport(uuid(), 'MiXeD-Case'))).status, 200);
  const queries = [
    'DiagnosticReport?identifier=mixed-case',
    `DiagnosticReport?identifier=${REPORT_SID.toUpperCase()}|MIXED-CASE`,
    `DiagnosticReport?identifier=${REPORT_SID}|cu-1`,
    'DiagnosticReport?identifier=CU-1',
    `DiagnosticReport?identifier=${REPORT_SID}|`,
    'DiagnosticReport?identifier=rollback-new',
    `DiagnosticReport?identifier=${REPORT_SID}|dup`,
    'DiagnosticReport?identifier=dup,cu-1',
    `Provenance?_tag=${TAG_SYSTEM}|tag-1`,
    `Provenance?_tag=${TAG_SYSTEM}|rollback-prov`,
    `Patient?identifier=${SID}|twin`,
    `Device?identifier=${DEVICE_SID}|classifier-1&_count=1`,
  ];
  for (const query of queries) {
    const indexed = await search(query);
    const scanned = await search(`${query}&_sort=_id`); // a sort takes MemoryRepository's own scan
    assert.deepEqual(ids(indexed).sort(), ids(scanned).sort(), query);
    assert.equal(indexed.total, scanned.total, query);
  }
  assert.equal((await search('DiagnosticReport?identifier=mixed-case')).total, 1);
});

check('concurrent conditional PUTs of different identifiers all succeed (20 clients)', async () => {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => {
      const reportUrn = uuid();
      const planUrn = uuid();
      return transaction(putReport(reportUrn, `conc-${i}`), putPlan(planUrn, `conc-${i}`, reportUrn), postProvenance(uuid(), `conc-${i}`, [reportUrn, planUrn]));
    }),
  );
  for (const result of results) {
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.deepEqual(result.body.entry.map((e) => e.response.status), ['201 Created', '201 Created', '201 Created']);
  }
  assert.equal(new Set(results.map((r) => r.body.entry[0].resource.id)).size, 20);
  for (let i = 0; i < 20; i++) assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|conc-${i}`)).total, 1);
});

check('concurrent conditional PUTs of one identifier: one resource, one create, versions 1..10', async () => {
  const results = await Promise.all(Array.from({ length: 10 }, () => transaction(putReport(uuid(), 'same'))));
  assert.ok(results.every((r) => r.status === 200));
  assert.deepEqual(results.map((r) => r.body.entry[0].response.status).sort(), ['200 OK', ...Array(8).fill('200 OK'), '201 Created'].sort());
  assert.equal(new Set(results.map((r) => r.body.entry[0].resource.id)).size, 1);
  assert.deepEqual(results.map((r) => Number(r.body.entry[0].resource.meta.versionId)).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|same`)).total, 1);
});

check('a transaction of 45 conditional entries (Medplum alone refuses more than 8)', async () => {
  const entries = [];
  const results = [];
  for (let i = 0; i < 42; i++) {
    const urn = uuid();
    results.push({ reference: urn });
    entries.push({
      fullUrl: urn,
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'cmap' }, identifier: [{ system: SID, value: `obs-${i}` }], subject: { reference: 'Patient/smoke-p1' } },
      request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=${SID}|obs-${i}` },
    });
  }
  const reportUrn = uuid();
  const planUrn = uuid();
  entries.push(putReport(reportUrn, 'big', report('big', undefined, { result: results })), putPlan(planUrn, 'big', reportUrn), postProvenance(uuid(), 'big', [reportUrn, planUrn]));
  const result = await transaction(...entries);
  assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 500));
  assert.equal(result.body.entry.length, 45);
  const dr = result.body.entry[42].resource;
  assert.ok(dr.result.every((ref) => /^Observation\/[0-9a-f-]+$/.test(ref.reference)));
});

check('top-level create, update with If-Match (current: 200, stale: 412), conditional PUT', async () => {
  const created = await fhir('POST', 'DiagnosticReport', report('top-1'));
  assert.equal(created.status, 201);
  const id = created.body.id;
  assert.equal(created.headers.get('location'), `${BASE}/DiagnosticReport/${id}/_history/1`);
  assert.equal(created.headers.get('etag'), 'W/"1"');
  const updated = await fhir('PUT', `DiagnosticReport/${id}`, { ...created.body, conclusion: 'top 2' }, { 'If-Match': 'W/"1"' });
  assert.equal(updated.status, 200);
  assert.equal(updated.headers.get('etag'), 'W/"2"');
  assertOutcome(await fhir('PUT', `DiagnosticReport/${id}`, { ...created.body, conclusion: 'stale' }, { 'If-Match': 'W/"1"' }), 412);
  const conditional = await fhir('PUT', `DiagnosticReport?identifier=${REPORT_SID}|top-1`, report('top-1', undefined, { conclusion: 'top 3' }));
  assert.equal(conditional.status, 200);
  assert.equal(conditional.body.id, id);
  assert.equal(conditional.headers.get('etag'), 'W/"3"');
  const fresh = await fhir('PUT', `DiagnosticReport?identifier=${REPORT_SID}|top-new`, report('top-new'));
  assert.equal(fresh.status, 201);
  assert.match(fresh.headers.get('location'), /\/DiagnosticReport\/[0-9a-f-]+\/_history\/1$/);
});

check('refusals: invalid resource 400, not JSON 400, wrong Content-Type 415, bad Bundles 400, unknown path 404', async () => {
  assertOutcome(await fhir('POST', 'DiagnosticReport', { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'x' }, issued: 'yesterday' }), 400, 'issued');
  assertOutcome(await fhir('POST', 'DiagnosticReport', { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'x' }, colour: 'red' }), 400, 'colour');
  assertOutcome(await fhir('POST', 'DiagnosticReport', '{not json'), 400);
  assertOutcome(await fhir('POST', 'DiagnosticReport', '<x/>', { 'Content-Type': 'application/xml' }), 415);
  assertOutcome(await fhir('POST', '', { resourceType: 'Patient' }), 400);
  assertOutcome(await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [] }), 400);
  // a transaction with a malformed entry, or two entries of one fullUrl, fails whole
  const urn = uuid();
  assertOutcome(await transaction(putReport(uuid(), 'malformed'), { resource: report('malformed-2') }), 400, 'Bundle.entry[1].request.method');
  assertOutcome(await transaction(putReport(urn, 'twice-1'), putReport(urn, 'twice-2')), 400, 'appears twice');
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|malformed`)).total, 0);
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|twice-1`)).total, 0);
  const elsewhere = await fetch(BASE.replace(/\/fhir$/, '/other'));
  assert.equal(elsewhere.status, 404);
});

check('batch Bundles: each entry answers for itself, with the same rules as a transaction', async () => {
  const result = await fhir('POST', '', {
    resourceType: 'Bundle',
    type: 'batch',
    entry: [
      { request: { method: 'GET', url: 'Patient/smoke-p1' } },
      { request: { method: 'GET', url: 'Patient/nobody-here' } },
      { resource: report('dup'), request: { method: 'PUT', url: `DiagnosticReport?identifier=${REPORT_SID}|dup` } },
      { resource: { resourceType: 'Basic', id: 'batch-basic', code: { text: 'batch' } }, request: { method: 'PUT', url: 'Basic/batch-basic' } },
      { resource: report('batch-ref', { reference: `Patient?identifier=${SID}|mrn-2` }), request: { method: 'POST', url: 'DiagnosticReport' } },
    ],
  });
  assert.equal(result.status, 200);
  assert.equal(result.body.type, 'batch-response');
  const statuses = result.body.entry.map((entry) => entry.response.status);
  assert.deepEqual(statuses, ['200 OK', '404 Not Found', '412 Precondition Failed', '201 Created', '201 Created']);
  assert.deepEqual(result.body.entry[2].response.outcome.issue[0].expression, ['Bundle.entry[2].request']);
  assert.equal(result.body.entry[3].response.location, 'Basic/batch-basic/_history/1');
  assert.equal(result.body.entry[4].resource.subject.reference, 'Patient/smoke-p2');
});

check('PUT with a new client-chosen id creates (201, version 1), then updates (200, version 2)', async () => {
  const first = await fhir('PUT', 'Basic/client-id-1', { resourceType: 'Basic', id: 'client-id-1', code: { text: 'one' } });
  assert.equal(first.status, 201);
  assert.equal(first.headers.get('location'), `${BASE}/Basic/client-id-1/_history/1`);
  const second = await fhir('PUT', 'Basic/client-id-1', { resourceType: 'Basic', id: 'client-id-1', code: { text: 'two' } });
  assert.equal(second.status, 200);
  assert.equal(second.headers.get('etag'), 'W/"2"');
});

check('unknown search parameters and a bad _count are refused (400), also in conditional URLs', async () => {
  assertOutcome(await fhir('GET', 'DiagnosticReport?identifer=x'), 400, 'identifer');
  assertOutcome(await fhir('GET', 'DiagnosticReport?_count=many'), 400, '_count');
  assertOutcome(await transaction({ resource: report('typo'), request: { method: 'PUT', url: 'DiagnosticReport?identifer=typo' } }), 400, 'identifer');
  assertOutcome(await transaction({ resource: report('typo'), request: { method: 'POST', url: 'DiagnosticReport', ifNoneExist: 'identifer=typo' } }), 400, 'identifer');
  assert.equal((await search(`DiagnosticReport?identifier=${REPORT_SID}|typo`)).total, 0);
});

// ---------------------------------------------------------------------------------------------------------
// Run

const seedDir = mkdtempSync(join(tmpdir(), 'fhir-server-smoke-'));
const seedFile = join(seedDir, 'patients.json');
const patient = (id, value) => ({ resourceType: 'Patient', id, identifier: [{ system: SID, value }], name: [{ family: `Smoke ${id}` }] });
writeFileSync(
  seedFile,
  JSON.stringify({
    resourceType: 'Bundle',
    type: 'collection',
    entry: [patient('smoke-p1', 'mrn-1'), patient('smoke-p2', 'mrn-2'), patient('twin-a', 'twin'), patient('twin-b', 'twin')].map((resource) => ({ resource })),
  }),
);

const seedTransaction = join(seedDir, 'practitioners.json');
const doctorUrn = uuid();
writeFileSync(
  seedTransaction,
  JSON.stringify({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: doctorUrn, resource: { resourceType: 'Practitioner', identifier: [{ system: SID, value: 'doc-1' }] }, request: { method: 'POST', url: 'Practitioner', ifNoneExist: `identifier=${SID}|doc-1` } },
      { fullUrl: uuid(), resource: { resourceType: 'PractitionerRole', practitioner: { reference: doctorUrn } }, request: { method: 'POST', url: 'PractitionerRole' } },
    ],
  }),
);

let failed = 0;
const server = await startServer(['--seed', seedFile, '--seed', seedTransaction]);
BASE = server.ready.base;
try {
  assert.equal(server.ready.ready, true);
  assert.match(BASE, /^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
  for (const { name, fn } of checks) {
    const started = Date.now();
    try {
      await fn();
      console.log(`ok    ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      console.log(`FAIL  ${name}\n      ${String(err?.stack ?? err).split('\n').slice(0, 6).join('\n      ')}`);
    }
  }
} finally {
  const exit = await server.stop();
  rmSync(seedDir, { recursive: true, force: true });
  const clean = exit.code === 0 && exit.stdoutAfterReady.length === 0;
  console.log(`${clean ? 'ok  ' : 'FAIL'}  server stopped on SIGTERM (exit ${exit.code ?? exit.signal}, ${exit.stdoutAfterReady.length} stdout lines after ready)`);
  if (!clean) {
    failed++;
    console.log(exit.stderr);
  }
}
console.log(`\n${checks.length + 1 - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
