/**
 * A separate OS process that runs the webhook outbox's claim loop beside another such process, for the
 * contract test that proves two dispatchers never lease the same delivery (real parallelism).
 * argv: the store's location (JSON, from the contract harness's locationOf), an owner id, the claim time.
 * Prints "ready", waits for a line on stdin, then claims (3 at a time) and completes everything it gets
 * until nothing is due, and prints one JSON line: the delivery ids it claimed.
 */
import { createInterface } from 'node:readline';
import type { StoreLocation } from '../storage/contract/stores.js';
import { PgRepository } from '../storage/pg/pg-repository.js';
import type { Repository } from '../storage/repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';

const [at, owner, now] = [
  JSON.parse(process.argv[2]!) as StoreLocation,
  process.argv[3]!,
  Number(process.argv[4]),
];
const repo: Repository =
  at.engine === 'sqlite'
    ? SqliteRepository.open(at.dataDir)
    : await PgRepository.open({ url: at.url, schema: at.schema, max: 2 });
const rl = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => rl.once('line', () => resolve()));
const claimed: string[] = [];
for (;;) {
  const batch = await repo.webhooks.claimDue(owner, now, 60_000, 3);
  if (batch.length === 0) break;
  for (const c of batch) {
    claimed.push(c.delivery.id);
    await repo.webhooks.complete(c.delivery.id, owner, {
      state: 'delivered',
      nextAttemptAt: now,
      lastStatus: 204,
      lastError: null,
      at: now,
    });
  }
}
process.stdout.write(`${JSON.stringify(claimed)}\n`);
rl.close();
await repo.close();
