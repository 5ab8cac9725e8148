import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteSimStore } from './storage/sqlite-sim-store.js';

const WORKER = join(import.meta.dirname, 'testing', 'sim-ledger-worker.ts');
const dir = mkdtempSync(join(tmpdir(), 'linli-simproc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one simulators ledger shared by two processes (simLedgerFile)', () => {
  it('both write at once: no SQLITE_BUSY, one posting and one capture per payment, both see the same', async () => {
    const file = join(dir, 'shared.sqlite');
    await SqliteSimStore.open(file).close(); // migrated once, as the first instance to start does
    const n = 150;
    const workers = Array.from({ length: 2 }, () =>
      spawn(process.execPath, ['--import', 'tsx', WORKER, file, String(n)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    try {
      const next = workers.map((w) => {
        const it = createInterface({ input: w.stdout! })[Symbol.asyncIterator]();
        return async () => String((await it.next()).value);
      });
      for (const x of next) expect(await x()).toBe('ready');
      for (const w of workers) w.stdin!.write('go\n');
      const seen = (await Promise.all(next.map(async (x) => JSON.parse(await x())))) as {
        errors: string[];
        errorCount: number;
        stands: Record<string, string>;
      }[];
      for (const s of seen) expect(s.errors).toEqual([]);
      expect(seen[0]!.stands).toEqual(seen[1]!.stands);
      const store = SqliteSimStore.open(file);
      try {
        const count = (sql: string) => (store.db.prepare(sql).get() as { n: number }).n;
        expect(count('SELECT COUNT(*) AS n FROM sim_biller_postings')).toBe(n);
        expect(count("SELECT COUNT(*) AS n FROM sim_gateway_ledger WHERE op = 'capture'")).toBe(n);
      } finally {
        await store.close();
      }
    } finally {
      for (const w of workers) if (w.exitCode === null) w.kill();
    }
  }, 60_000);
});
