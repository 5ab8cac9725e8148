import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../../protocol/ids.js';
import type { NewCommand } from '../commands-repository.js';
import type { Repository } from '../repository.js';
import { addAdmin, addNode, addToken, enroll, T0 } from './fixtures.js';
import { forEachStore, locationOf } from './stores.js';

const WORKER = join(import.meta.dirname, '..', '..', 'testing', 'command-race-worker.ts');

async function world(repo: Repository) {
  const city = await addNode(repo, '市');
  const admin = await addAdmin(repo, city, 'li');
  const token = await addToken(repo, city, admin, { maxUses: 5, role: 'lobby' });
  const a = await enroll(repo, token, { name: 'a' });
  const b = await enroll(repo, token, { name: 'b' });
  return { admin, a, b };
}

const cmd = (deviceId: string, over: Partial<NewCommand> = {}): NewCommand => ({
  id: newId('cmd', T0),
  deviceId,
  op: 'identify',
  args: { seconds: 10 },
  createdBy: 'adm_x',
  issuedAt: T0,
  expiresAt: T0 + 600_000,
  ...over,
});

const seal = (seq: number) => ({ payload: { seq }, kid: 'k', sig: 's' });

forEachStore((open) => {
  describe('commands', () => {
    it('numbers each device from 1, separately, and stores what seal signed', async () => {
      const repo = await open();
      const { a, b } = await world(repo);
      const a1 = await repo.commands.create(cmd(a.id), seal);
      const a2 = await repo.commands.create(cmd(a.id, { op: 'screenshot', args: {} }), seal);
      const b1 = await repo.commands.create(cmd(b.id), seal);
      expect([a1.seq, a2.seq, b1.seq]).toEqual([1, 2, 1]);
      const got = await repo.commands.get(a2.id);
      expect(got).toEqual({ ...a2, envelope: { payload: { seq: 2 }, kid: 'k', sig: 's' } });
      expect(got).toMatchObject({ state: 'pending', op: 'screenshot', sentAt: null, result: null });
      expect((await repo.commands.listForDevice(a.id, 10)).map((c) => c.seq)).toEqual([2, 1]);
      expect(await repo.commands.get('cmd_01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBeUndefined();
    });

    it('a failed seal inserts nothing and uses no seq', async () => {
      const repo = await open();
      const { a } = await world(repo);
      await expect(
        repo.commands.create(cmd(a.id), () => {
          throw new Error('no key');
        }),
      ).rejects.toThrow('no key');
      expect(await repo.commands.listForDevice(a.id, 10)).toEqual([]);
      expect((await repo.commands.create(cmd(a.id), seal)).seq).toBe(1);
    });

    it('sends once, records one result, and expires only what is open', async () => {
      const repo = await open();
      const { a } = await world(repo);
      const c1 = await repo.commands.create(cmd(a.id), seal);
      const c2 = await repo.commands.create(cmd(a.id, { expiresAt: T0 + 1000 }), seal);
      const c3 = await repo.commands.create(cmd(a.id, { expiresAt: T0 + 1000 }), seal);
      expect((await repo.commands.listDeliverable(a.id, T0)).map((c) => c.seq)).toEqual([1, 2, 3]);
      expect(await repo.commands.markSent(c1.id, T0 + 1)).toBe(true);
      expect(await repo.commands.markSent(c1.id, T0 + 2)).toBe(false);
      expect(await repo.commands.get(c1.id)).toMatchObject({ state: 'sent', sentAt: T0 + 1 });
      // Expired ones are no longer delivered.
      expect((await repo.commands.listDeliverable(a.id, T0 + 1000)).map((c) => c.seq)).toEqual([1]);

      const result = {
        payload: {
          type: 'linli.command-result/v1' as const,
          commandId: c1.id,
          deviceId: a.id,
          seq: 1,
          status: 'done' as const,
          at: new Date(T0).toISOString(),
        },
        sig: 'x'.repeat(86),
      };
      expect(await repo.commands.finish(c1.id, 'done', result, T0 + 5)).toBe(true);
      expect(await repo.commands.finish(c1.id, 'failed', result, T0 + 6)).toBe(false);
      expect(await repo.commands.get(c1.id)).toMatchObject({ state: 'done', doneAt: T0 + 5, result });

      expect((await repo.commands.expireDue(T0 + 1000)).sort()).toEqual([c2.id, c3.id].sort());
      expect(await repo.commands.expireDue(T0 + 1000)).toEqual([]);
      expect(await repo.commands.get(c1.id)).toMatchObject({ state: 'done' });
      expect(await repo.commands.get(c2.id)).toMatchObject({ state: 'expired', doneAt: T0 + 1000 });
      // A late answer is still recorded (once) over "expired".
      expect(await repo.commands.finish(c3.id, 'rejected', result, T0 + 2000)).toBe(true);
      expect(await repo.commands.get(c3.id)).toMatchObject({ state: 'rejected' });
      expect(await repo.commands.markSent(c2.id, T0)).toBe(false);
    });
  });

  describe('command seqs across processes', () => {
    it('two processes creating commands for one device at once get distinct, gapless seqs', async () => {
      const repo = await open();
      const { a } = await world(repo);
      const perWorker = 15;
      const workers = Array.from({ length: 2 }, () =>
        spawn(
          process.execPath,
          ['--import', 'tsx', WORKER, JSON.stringify(locationOf(repo)), a.id, String(perWorker)],
          { stdio: ['pipe', 'pipe', 'inherit'] },
        ),
      );
      try {
        const next = workers.map(lines);
        for (const n of next) expect(await n()).toBe('ready');
        for (const w of workers) w.stdin!.write('go\n');
        const seqs = (await Promise.all(next.map(async (n) => JSON.parse(await n()) as number[]))).flat();
        expect(seqs.sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * perWorker }, (_, i) => i + 1));
        const stored = await repo.commands.listForDevice(a.id, 100);
        expect(stored.map((c) => c.seq)).toEqual(
          Array.from({ length: 2 * perWorker }, (_, i) => 2 * perWorker - i),
        );
        // Each stored envelope is the one sealed with that row's seq.
        expect(stored.every((c) => (c.envelope as { payload: { seq: number } }).payload.seq === c.seq)).toBe(
          true,
        );
      } finally {
        for (const w of workers) if (w.exitCode === null) w.kill();
      }
    }, 120_000);
  });
});

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
  child.on('exit', () => wake?.());
  return async () => {
    while (queue.length === 0) {
      if (child.exitCode !== null) throw new Error(`worker ${child.pid} exited with ${child.exitCode}`);
      await new Promise<void>((r) => {
        wake = r;
      });
    }
    return queue.shift()!;
  };
}
