// @medplum/core touches the WebSocket global when it loads; Node 20 has it only with
// --experimental-websocket (Node 22+ always). Import this module before @medplum/core.
// Run as one of the profiles/scripts CLIs without the flag: re-run the same command with it.
// Imported from elsewhere without the flag: fail with a clear message instead of Medplum's crash.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (typeof globalThis.WebSocket === 'undefined') {
  const main = process.argv[1] ? path.resolve(process.argv[1]) : '';
  if (path.dirname(main) === SCRIPTS_DIR && !process.execArgv.includes('--experimental-websocket')) {
    const run = spawnSync(process.execPath, ['--experimental-websocket', ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
    });
    process.exit(run.status ?? 1);
  }
  throw new Error('@medplum/core needs the WebSocket global: run node with --experimental-websocket (Node 20)');
}
