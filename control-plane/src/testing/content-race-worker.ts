/**
 * A separate OS process that writes to a store beside another such process, for the contract tests that
 * prove the content repositories hold under concurrent writers (real parallelism, not interleaved promises).
 * argv: the store's location (JSON, from the contract harness's locationOf), a mode and its JSON arguments:
 *   book   {officeId, matterId, slotStart, capacity, attempts, deviceId?}  → {ok, full, replay}
 *   edit   {noticeId, rounds}                                   → {won: revisions accepted, refused, firstWon}
 *   emergency {noticeId, by, count}                             → {seqs}
 *   audit  {count, categoryId, noticeTemplate}                  → {services, notices} (rows appended)
 * Prints "ready", waits for a line on stdin (so both processes start together), then prints one JSON line.
 */
import { createInterface } from 'node:readline';
import { newId } from '../../../protocol/ids.js';
import type { StoreLocation } from '../storage/contract/stores.js';
import { PgRepository } from '../storage/pg/pg-repository.js';
import type { Repository } from '../storage/repository.js';
import type { NoticeRecord } from '../storage/signage-records.js';
import { SqliteRepository } from '../storage/sqlite/sqlite-repository.js';
import { bookInput, nextRevision } from './content-fixtures.js';

type Store = Pick<Repository, 'notices' | 'services' | 'appointments'> & { close(): Promise<void> };

/** The store the test opened, by its location (sqlite data dir, or PostgreSQL URL and schema). */
async function openStore(at: StoreLocation): Promise<Store> {
  if (at.engine === 'sqlite') return SqliteRepository.open(at.dataDir);
  return PgRepository.open({ url: at.url, schema: at.schema, max: 4 });
}

async function book(
  s: Store,
  a: {
    officeId: string;
    matterId: string;
    slotStart: number;
    capacity: number;
    attempts: number;
    /** With a device: attempt i sends key k<i>, as a kiosk retrying the same requests would. */
    deviceId?: string;
  },
) {
  let ok = 0;
  let full = 0;
  let replay = 0;
  for (let i = 0; i < a.attempts; i++) {
    const keyed = a.deviceId ? { deviceId: a.deviceId, idempotencyKey: `k${i}`, requestHash: `h${i}` } : {};
    const res = await s.appointments.book(bookInput(a, { id: newId('apt'), ...keyed }));
    if (res.ok) ok++;
    else if (res.reason === 'replay') replay++;
    else full++;
  }
  return { ok, full, replay };
}

/** Each round reads the notice and submits the next revision; round 0 uses the revision both workers started from. */
async function edit(s: Store, a: { noticeId: string; rounds: number }) {
  const start = (await s.notices.get(a.noticeId))!;
  const won: number[] = [];
  let refused = 0;
  let firstWon = false;
  for (let i = 0; i < a.rounds; i++) {
    const cur = i === 0 ? start : ((await s.notices.get(a.noticeId)) as NoticeRecord);
    const next = nextRevision(cur, Date.now(), `pid ${process.pid} round ${i}`);
    const res = await s.notices.update(
      next,
      { revision: cur.revision, status: cur.status, updatedAt: cur.updatedAt },
      [
        {
          at: Date.now(),
          noticeId: a.noticeId,
          actorId: cur.createdBy,
          action: 'edit',
          revision: next.revision,
          detail: null,
        },
      ],
    );
    if (res.ok) {
      won.push(next.revision);
      if (i === 0) firstWon = true;
    } else refused++;
  }
  return { won, refused, firstWon };
}

async function audit(s: Store, a: { count: number; categoryId: string; noticeTemplate: NoticeRecord }) {
  let services = 0;
  let notices = 0;
  for (let i = 0; i < a.count; i++) {
    const at = Date.now();
    await s.services.updateCategory(
      {
        id: a.categoryId,
        name: { zh: `${process.pid}-${i}` },
        icon: 'x',
        order: i,
        createdAt: 0,
        updatedAt: at,
      },
      {
        at,
        actor: `pid:${process.pid}`,
        action: 'update',
        entity: 'category',
        entityId: a.categoryId,
        detail: { i },
      },
    );
    services++;
    const n = { ...a.noticeTemplate, id: newId('ntc'), createdAt: at, updatedAt: at };
    await s.notices.create(n, [
      { at, noticeId: n.id, actorId: n.createdBy, action: 'create', revision: 1, detail: { i } },
    ]);
    notices++;
  }
  return { services, notices };
}

/** Issues `count` emergency alerts for the notice; returns the seqs it was handed. */
async function emergency(s: Store, a: { noticeId: string; by: string; count: number }) {
  const seqs: number[] = [];
  for (let i = 0; i < a.count; i++) {
    const at = Date.now();
    const issued = await s.notices.issueEmergency({
      noticeId: a.noticeId,
      action: 'show',
      ttlSec: 60,
      at,
      by: a.by,
      liveUntil: at + 60_000,
      sign: (seq) => ({ payload: { seq }, kid: 'k', sig: 's' }) as never,
    });
    seqs.push(issued.seq);
  }
  return { seqs };
}

const [at, mode, json] = process.argv.slice(2);
const store = await openStore(JSON.parse(at!) as StoreLocation);
const args = JSON.parse(json!);
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', async () => {
  const out =
    mode === 'book'
      ? await book(store, args)
      : mode === 'edit'
        ? await edit(store, args)
        : mode === 'emergency'
          ? await emergency(store, args)
          : await audit(store, args);
  await store.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
});
