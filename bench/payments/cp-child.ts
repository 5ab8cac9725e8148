/**
 * The control plane for the payments benchmark, as its own process (its own core, as in production), with an
 * IPC line so the benchmark can read the group-commit counters.
 */
import { loadConfig } from '../../control-plane/src/config.js';
import { ControlPlane } from '../../control-plane/src/server.js';
import type { SqliteRepository } from '../../control-plane/src/storage/sqlite/sqlite-repository.js';

const [dataDir, port, accounts, pg, pgSchema] = process.argv.slice(2);
const cp = new ControlPlane({
  config: loadConfig(
    {
      dataDir,
      port: Number(port),
      logLevel: 'warn',
      simAccounts: Number(accounts),
      // PostgreSQL when the benchmark was given --pg (the control plane's own --pg option).
      ...(pg ? { pg, pgSchema } : {}),
    },
    {},
  ),
  announce: (line) => process.stdout.write(`${line}\n`),
});
const url = await cp.start();
process.stdout.write(`listening ${url}\n`);
process.on('message', (msg) => {
  // Group commit is SQLite's; PostgreSQL commits each transaction itself (no counters).
  if (msg === 'stats') {
    const gc = (cp.app!.repo as Partial<SqliteRepository>).groupCommit;
    process.send?.({ stats: gc?.stats ?? { batches: 0, writes: 0 } });
  }
  if (msg === 'stop') void cp.stop().then(() => process.exit(0));
});
