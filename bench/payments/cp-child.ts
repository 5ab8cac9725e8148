/**
 * The control plane for the payments benchmark, as its own process (its own core, as in production), with an
 * IPC line so the benchmark can read the group-commit counters.
 */
import { loadConfig } from '../../control-plane/src/config.js';
import { ControlPlane } from '../../control-plane/src/server.js';
import type { SqliteRepository } from '../../control-plane/src/storage/sqlite/sqlite-repository.js';

const [dataDir, port, accounts] = process.argv.slice(2);
const cp = new ControlPlane({
  config: loadConfig({ dataDir, port: Number(port), logLevel: 'warn', simAccounts: Number(accounts) }, {}),
  announce: (line) => process.stdout.write(`${line}\n`),
});
const url = await cp.start();
process.stdout.write(`listening ${url}\n`);
process.on('message', (msg) => {
  if (msg === 'stats') process.send?.({ stats: (cp.app!.repo as SqliteRepository).groupCommit.stats });
  if (msg === 'stop') void cp.stop().then(() => process.exit(0));
});
