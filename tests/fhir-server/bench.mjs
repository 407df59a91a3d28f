// Measures the test FHIR server's write-back rate: transactions of one conditional PUT DiagnosticReport, one
// conditional PUT CarePlan and one POST Provenance with ifNoneExist on _tag (each transaction a new patient, so
// every entry creates), against a fresh server per run, with 1 and with 4 concurrent clients.
//
//   node --experimental-websocket tests/fhir-server/bench.mjs [--count N] [--window W] [--update] [-- SERVER ARGS]
//
// --update: every transaction of a run writes the same identifiers (creates once, then new versions).
// Arguments after -- go to server.mjs (e.g. -- --no-validate).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const split = process.argv.indexOf('--');
const args = split < 0 ? process.argv.slice(2) : process.argv.slice(2, split);
const serverArgs = split < 0 ? [] : process.argv.slice(split + 1);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const COUNT = option('--count', 1000);
const WINDOW = option('--window', 250);
const UPDATE = args.includes('--update');

function writeBack(i) {
  const key = UPDATE ? 'same' : `bench-${i}`;
  const reportUrn = `urn:uuid:${randomUUID()}`;
  const planUrn = `urn:uuid:${randomUUID()}`;
  const subject = { reference: `Patient/${key}` };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: reportUrn,
        resource: {
          resourceType: 'DiagnosticReport',
          identifier: [{ system: 'http://fhirmmn.org/fhir/sid/assessment', value: key }],
          status: 'preliminary',
          code: { coding: [{ system: 'http://loinc.org', code: '51848-0' }] },
          subject,
          conclusion: `assessment ${i}`,
        },
        request: { method: 'PUT', url: `DiagnosticReport?identifier=http://fhirmmn.org/fhir/sid/assessment|${key}` },
      },
      {
        fullUrl: planUrn,
        resource: {
          resourceType: 'CarePlan',
          identifier: [{ system: 'http://fhirmmn.org/fhir/sid/care-plan', value: `${key}-1` }],
          status: 'draft',
          intent: 'proposal',
          subject,
          supportingInfo: [{ reference: reportUrn }],
        },
        request: { method: 'PUT', url: `CarePlan?identifier=http://fhirmmn.org/fhir/sid/care-plan|${key}-1` },
      },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'Provenance',
          meta: { tag: [{ system: 'http://fhirmmn.org/fhir/sid/provenance', code: `${key}-${i}` }] },
          target: [{ reference: reportUrn }, { reference: planUrn }],
          recorded: '2024-05-01T10:00:00Z',
          agent: [{ who: { display: 'FhirMmn classifier' } }],
        },
        request: { method: 'POST', url: 'Provenance', ifNoneExist: `_tag=http://fhirmmn.org/fhir/sid/provenance|${key}-${i}` },
      },
    ],
  };
}

async function run(clients) {
  const child = spawn(process.execPath, ['--experimental-websocket', SERVER, '--port', '0', ...serverArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]);
  const { base } = JSON.parse(line);
  let next = 0;
  let done = 0;
  const windows = [];
  let windowStart = performance.now();
  const started = windowStart;
  async function client() {
    while (next < COUNT) {
      const i = next++;
      const response = await fetch(base, { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(writeBack(i)) });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`transaction ${i}: ${response.status} ${JSON.stringify(body)}`);
      if (++done % WINDOW === 0) {
        const now = performance.now();
        windows.push((WINDOW / ((now - windowStart) / 1000)).toFixed(0));
        windowStart = now;
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - started) / 1000;
  child.kill('SIGTERM');
  console.log(
    `${clients} client${clients > 1 ? 's' : ' '}: ${COUNT} transactions in ${seconds.toFixed(1)} s = ${(COUNT / seconds).toFixed(1)} tx/s` +
      `; per ${WINDOW}: ${windows.join(', ')} tx/s${UPDATE ? ' (same identifiers: updates)' : ''}`,
  );
}

await run(1);
await run(4);
