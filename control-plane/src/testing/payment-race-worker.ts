/**
 * A separate OS process racing another one on the payment store, for the storage contract tests that prove
 * idempotent creates, compare-and-set transitions and refund limits hold across processes (real
 * parallelism, each with its own connection or pool).
 * argv: op, then the store's location as JSON (contract/stores.ts StoreLocation); stdin: one JSON line of arguments
 * plus `startAt` (sent once both workers printed "ready"; both begin at that instant). Prints one JSON line
 * `{result, t0, t1}`: the op's result and when it ran.
 */
import { createInterface } from 'node:readline';
import { newId } from '../../../protocol/ids.js';
import type { StoreLocation } from '../storage/contract/stores.js';
import { PgRepository } from '../storage/pg/pg-repository.js';
import type { PaymentRecord } from '../storage/records.js';
import type {
  CardRepository,
  PaymentRepository,
  RefundRepository,
  WalletEventRepository,
} from '../storage/repository.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';
import { idempotencyFor } from './payment-fixtures.js';

interface Store {
  payments: PaymentRepository;
  refunds: RefundRepository;
  walletEvents: WalletEventRepository;
  cards: CardRepository;
  close(): Promise<void>;
}

async function open(loc: StoreLocation): Promise<Store> {
  if (loc.engine === 'sqlite') return SqliteRepository.open(loc.dataDir);
  return PgRepository.open({ url: loc.url, schema: loc.schema, max: 4 });
}

/** Same device + key for every template, a fresh payment id per process: at most one may be stored. */
async function create(s: Store, a: { templates: PaymentRecord[] }) {
  const seen: { key: string; created: boolean; paymentId: string }[] = [];
  for (const t of a.templates) {
    const p = { ...t, id: newId('pay', t.createdAt) };
    const res = await s.payments.createWithIdempotency(p, idempotencyFor(p), `device:${p.deviceId}`);
    seen.push({
      key: t.idempotencyKey,
      created: res.created,
      paymentId: res.created ? res.payment.id : res.existing.paymentId,
    });
  }
  return seen;
}

/** The same transition of every payment, attempted by each process: one winner each. */
async function transition(s: Store, a: { paymentIds: string[] }) {
  const won: string[] = [];
  for (const id of a.paymentIds) {
    const moved = await s.payments.transition({
      paymentId: id,
      from: 'created',
      to: 'presented',
      at: Date.now(),
      actor: `worker:${process.pid}`,
      patch: { terminalTxnId: `txn-${process.pid}` },
    });
    if (moved) won.push(id);
  }
  return won;
}

/**
 * Refunds `amountFen` at a time until the payment is used up, completing whatever refund is pending
 * (either process may complete the other's). Every refund is a new key, so only the store's checks stop it.
 */
async function refund(s: Store, a: { paymentId: string; amountFen: number; maxRounds: number }) {
  const r = { created: 0, completed: 0, state: 0, tooLarge: 0, errors: [] as string[] };
  for (let round = 0; round < a.maxRounds && r.tooLarge === 0; round++) {
    try {
      const p = await s.payments.get(a.paymentId);
      if (!p) throw new Error('payment vanished');
      if (p.state === 'refund_pending') {
        const pending = (await s.refunds.listForPayment(p.id)).find((f) => f.state === 'pending');
        if (pending && (await s.refunds.complete(pending.id, `gw-${pending.id}`, Date.now()))) r.completed++;
        continue;
      }
      const now = Date.now();
      const res = await s.refunds.createPending({
        refund: {
          id: newId('rfd', now),
          paymentId: p.id,
          amountFen: a.amountFen,
          reason: 'race',
          state: 'pending',
          idempotencyKey: `k-${process.pid}-${round}`,
          requestHash: 'h',
          createdBy: 'adm_race',
          createdAt: now,
          completedAt: null,
          gatewayRef: null,
        },
        from: p.state,
        at: now,
        actor: `worker:${process.pid}`,
      });
      if (res.created) r.created++;
      else if ('reason' in res && res.reason === 'too_large') r.tooLarge++;
      else r.state++;
    } catch (err) {
      // Reported, not hidden: the test expects none (a store must wait for the other writer, not fail).
      r.errors.push((err as Error).message);
      if (r.errors.length > 50) break;
    }
  }
  return r;
}

/** The same wallet notifications delivered to both processes: each event id recorded by exactly one. */
async function events(s: Store, a: { eventIds: string[] }) {
  const recorded: string[] = [];
  for (const eventId of a.eventIds) {
    const now = Date.now();
    const first = await s.walletEvents.record({
      eventId,
      eventType: 'TRANSACTION.SUCCESS',
      orderId: `wo-${eventId}`,
      paymentId: null,
      createdAt: now,
      receivedAt: now,
      processedAt: null,
    });
    if (first) recorded.push(eventId);
  }
  return recorded;
}

/** Staff on two instances saving the same cards (same community and UID), each with its own label. */
async function cards(s: Store, a: { nodeId: string; uids: string[] }) {
  const ids: string[] = [];
  for (const uid of a.uids) {
    const now = Date.now();
    const saved = await s.cards.upsert({
      id: newId('card', now),
      nodeId: a.nodeId,
      cardUid: uid,
      label: `pid-${process.pid}`,
      accounts: [{ billerId: 'water', account: `01${String(process.pid).padStart(8, '0')}` }],
      createdBy: 'adm_race',
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
    });
    ids.push(saved.id);
  }
  return ids;
}

const OPS = { create, transition, refund, events, cards } as const;

const [op, where] = process.argv.slice(2);
const run = OPS[op as keyof typeof OPS];
if (!run) throw new Error(`unknown op ${op}`);
const store = await open(JSON.parse(where ?? '{}') as StoreLocation);
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', async (line) => {
  const { startAt, ...args } = JSON.parse(line) as { startAt: number };
  // Both processes start on the same wall-clock instant, not when each happened to read its line.
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const t0 = Date.now();
  const result = await run(store, args as never);
  const t1 = Date.now();
  await store.close();
  process.stdout.write(`${JSON.stringify({ result, t0, t1 })}\n`);
});
