import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addAdmin, addNode, addToken, T0 } from './fixtures.js';
import { forEachStore, locationOf } from './stores.js';

const WORKER = join(import.meta.dirname, '..', '..', 'testing', 'enroll-worker.ts');

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

forEachStore((open) => {
  describe('enrollment token uses across processes', () => {
    it('two processes consuming one token at once create exactly maxUses devices', async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      const admin = await addAdmin(repo, city, 'li');
      const maxUses = 7;
      const token = await addToken(repo, city, admin, { maxUses, expiresAt: Date.now() + 3_600_000 });
      const perWorker = 8;
      const workers = Array.from({ length: 2 }, () =>
        spawn(
          process.execPath,
          ['--import', 'tsx', WORKER, JSON.stringify(locationOf(repo)), token.id, String(perWorker)],
          { stdio: ['pipe', 'pipe', 'inherit'] },
        ),
      );
      try {
        const next = workers.map(lines);
        for (const n of next) expect(await n()).toBe('ready');
        for (const w of workers) w.stdin!.write('go\n');
        const results = await Promise.all(
          next.map(async (n) => JSON.parse(await n()) as { ok: number; usedUp: number; other: number }),
        );
        expect(results.reduce((s, r) => s + r.ok, 0)).toBe(maxUses);
        expect(results.reduce((s, r) => s + r.usedUp, 0)).toBe(2 * perWorker - maxUses);
        expect(results.every((r) => r.other === 0)).toBe(true);
        expect((await repo.tokens.get(token.id))?.uses).toBe(maxUses);
        const devices = await repo.devices.list({ subtreeOf: city.id });
        expect(devices).toHaveLength(maxUses);
        expect(devices.every((d) => d.tokenId === token.id && d.enrolledAt > T0)).toBe(true);
      } finally {
        for (const w of workers) if (w.exitCode === null) w.kill();
      }
    }, 120_000);
  });
});
