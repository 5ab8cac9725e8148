import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ContentWorld, noticeRecord, seedOffice, seedWorld } from '../../testing/content-fixtures.js';
import type { PgRepository } from '../pg/pg-repository.js';
import type { Repository } from '../repository.js';
import { SqliteRepository } from '../sqlite/sqlite-repository.js';
import { forEachStore, locationOf, type StoreLocation } from './stores.js';

const WORKER = join(import.meta.dirname, '..', '..', 'testing', 'content-race-worker.ts');

function lines(child: ChildProcess): () => Promise<string> {
  let buf = '';
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  child.stdout!.on('data', (d) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    queue.push(...parts);
    wake?.();
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
    wake?.();
  });
  return async () => {
    while (queue.length === 0) {
      // A worker that dies (an unexpected error in the store) fails the test instead of hanging it.
      if (exited !== undefined) throw new Error(`worker exited (${exited}) before answering`);
      await new Promise<void>((r) => (wake = r));
    }
    return queue.shift()!;
  };
}

/** Two worker processes on the same store, released together; returns their result lines. */
async function race<T>(at: StoreLocation, mode: string, args: unknown, processes = 2): Promise<T[]> {
  const workers = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(at), mode, JSON.stringify(args)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  try {
    const next = workers.map(lines);
    for (const n of next) expect(await n()).toBe('ready');
    for (const w of workers) w.stdin!.write('go\n');
    return await Promise.all(next.map(async (n) => JSON.parse(await n()) as T));
  } finally {
    for (const w of workers) if (w.exitCode === null && w.pid) process.kill(w.pid);
  }
}

/** Every emergency seq committed so far, ascending (raw SQL: the Repository has no such list). */
async function committedSeqs(repo: Repository): Promise<number[]> {
  if (repo instanceof SqliteRepository) {
    return (repo.db.prepare('SELECT seq FROM emergency_issues ORDER BY seq').all() as { seq: number }[]).map(
      (r) => r.seq,
    );
  }
  const db = (repo as unknown as PgRepository).db;
  return (await db.query<{ seq: number }>('SELECT seq FROM emergency_issues ORDER BY seq')).rows.map(
    (r) => r.seq,
  );
}

forEachStore((open) => {
  describe('content writers in two OS processes', () => {
    let repo: Repository;
    let w: ContentWorld;
    beforeEach(async () => {
      repo = await open();
      w = await seedWorld(repo);
    });
    // Closed after each test, not only at the end: a pool per test would otherwise pile up connections.
    afterEach(() => repo.close());

    it('books a slot of capacity 3 exactly 3 times when two processes try 5 times each', async () => {
      const o = await seedOffice(repo, w.nodeId);
      const slotStart = Date.parse('2026-12-01T01:00:00.000Z');
      const results = await race<{ ok: number; full: number }>(locationOf(repo), 'book', {
        ...o,
        slotStart,
        capacity: 3,
        attempts: 5,
      });
      expect(results.reduce((s, r) => s + r.ok, 0)).toBe(3);
      expect(results.reduce((s, r) => s + r.full, 0)).toBe(7);
      const rows = await repo.appointments.listAppointments(o.officeId, 0, Number.MAX_SAFE_INTEGER);
      expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(new Set(rows.map((r) => r.code)).size).toBe(3);
    }, 60_000);

    it('books each idempotency key once when two processes send the same 5 keyed requests', async () => {
      const o = await seedOffice(repo, w.nodeId);
      const slotStart = Date.parse('2026-12-01T01:00:00.000Z');
      const results = await race<{ ok: number; full: number; replay: number }>(locationOf(repo), 'book', {
        ...o,
        slotStart,
        capacity: 10,
        attempts: 5,
        deviceId: w.deviceId,
      });
      expect(results.reduce((s, r) => s + r.ok, 0)).toBe(5);
      expect(results.reduce((s, r) => s + r.replay, 0)).toBe(5);
      const rows = await repo.appointments.listAppointments(o.officeId, 0, Number.MAX_SAFE_INTEGER);
      expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    }, 60_000);

    it('accepts exactly one of two edits made from the same revision, and gives every accepted edit its own version', async () => {
      const n = noticeRecord(w);
      await repo.notices.create(n, []);
      const rounds = 25;
      const results = await race<{ won: number[]; refused: number; firstWon: boolean }>(
        locationOf(repo),
        'edit',
        {
          noticeId: n.id,
          rounds,
        },
      );
      // Round 0 of both started from revision 1: one wins, the other is refused.
      expect(results.filter((r) => r.firstWon)).toHaveLength(1);
      const won = results.flatMap((r) => r.won).sort((a, b) => a - b);
      const stored = (await repo.notices.get(n.id))!;
      // Every accepted edit got a distinct revision, they form an unbroken run, and nothing else was written.
      expect(won).toEqual(Array.from({ length: won.length }, (_, i) => i + 2));
      expect(stored.revision).toBe(1 + won.length);
      expect(stored.publishedVersion).toBe(won.length);
      expect(results.reduce((s, r) => s + r.refused + r.won.length, 0)).toBe(2 * rounds);
      const audit = await repo.notices.listAudit({ noticeIds: [n.id], limit: 1000 });
      expect(audit.map((a) => a.revision).sort((a, b) => a - b)).toEqual(won);
    }, 60_000);

    it('makes emergency seqs visible in the order they are numbered while two processes issue them', async () => {
      const notices = [noticeRecord(w), noticeRecord(w)];
      for (const n of notices) await repo.notices.create(n, []);
      // What a reader (a device's sync) can see at any moment: the committed seqs. A seq that commits after a
      // higher one would show up as a gap that later fills; a device holding the higher one would refuse it.
      const gaps: string[] = [];
      let done = false;
      const watch = (async () => {
        while (!done) {
          const seen = await committedSeqs(repo);
          const max = seen.at(-1) ?? 0;
          if (seen.length !== max) gaps.push(`saw ${seen.length} seqs up to ${max}`);
          // A macrotask between polls: SQLite's read is synchronous and would starve the workers' pipes.
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      const results = await Promise.all(
        notices.map((n) =>
          race<{ seqs: number[] }>(
            locationOf(repo),
            'emergency',
            { noticeId: n.id, by: w.adminId, count: 40 },
            1,
          ),
        ),
      ).finally(() => {
        done = true;
      });
      await watch;
      expect(gaps).toEqual([]);
      const all = results.flat().flatMap((r) => r.seqs);
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    }, 60_000);

    it('keeps all 100 audit rows when two processes append 50 each (service and notice audit)', async () => {
      const at = Date.now();
      await repo.services.createCategory(
        { id: 'race', name: { zh: '竞争' }, icon: 'x', order: 1, createdAt: at, updatedAt: at },
        { at, actor: 'test', action: 'create', entity: 'category', entityId: 'race', detail: null },
      );
      const before = (await repo.notices.listAudit({ limit: 10_000 })).length;
      const results = await race<{ services: number; notices: number }>(locationOf(repo), 'audit', {
        count: 50,
        categoryId: 'race',
        noticeTemplate: noticeRecord(w),
      });
      expect(results).toEqual([
        { services: 50, notices: 50 },
        { services: 50, notices: 50 },
      ]);
      const services = (await repo.services.listAudit('category', 'race')).filter(
        (r) => r.action === 'update',
      );
      expect(services).toHaveLength(100);
      expect(new Set(services.map((r) => `${r.actor}/${(r.detail as { i: number }).i}`)).size).toBe(100);
      const notices = await repo.notices.listAudit({ action: 'create', limit: 10_000 });
      expect(notices.length - before).toBe(100);
      expect(new Set(notices.map((r) => r.seq)).size).toBe(notices.length);
    }, 60_000);
  });
});
