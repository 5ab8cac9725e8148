/**
 * A separate OS process that runs the webhook outbox beside another such process, for the contract tests
 * that prove two instances never lease, nor send, the same delivery (real parallelism).
 * argv: the store's location (JSON, from the contract harness's locationOf), an owner id, the claim time,
 * and optionally `dispatch <key material hex>`.
 * Prints "ready", waits for a line on stdin, then either claims (3 at a time) and completes everything it
 * gets until nothing is due, printing the delivery ids it claimed as one JSON line; or (dispatch) runs a real
 * WebhookDispatcher (its secrets opened with a SecretBox derived from the key material) until nothing is
 * due, printing how many it sent.
 */
import { createInterface } from 'node:readline';
import { SecretBox } from '../crypto/secrets.js';
import { WebhookDispatcher } from '../services/webhooks/webhook-dispatcher.js';
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
if (process.argv[5] === 'dispatch') {
  const box = SecretBox.derive(Buffer.from(process.argv[6]!, 'hex'), 'webhook-signing-secret');
  const log = { info() {}, warn() {}, error() {} };
  const timing = {
    timeoutMs: 5000,
    maxAttempts: 3,
    backoffBaseMs: 60_000,
    backoffMaxMs: 60_000,
    pollMs: 60_000,
    concurrency: 3,
    retentionDays: 30,
  };
  const d = new WebhookDispatcher({ store: repo.webhooks, box, timing, now: Date.now, log, owner });
  let sent = 0;
  for (let n = -1; n !== 0; sent += n) n = await d.runOnce();
  process.stdout.write(`${JSON.stringify(sent)}\n`);
  rl.close();
  await repo.close();
  process.exit(0);
}
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
