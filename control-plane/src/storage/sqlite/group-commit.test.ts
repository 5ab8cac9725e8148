import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { GroupCommit } from './group-commit.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function db() {
  const dir = mkdtempSync(join(tmpdir(), 'linli-gc-'));
  dirs.push(dir);
  const d = openDatabase(dir);
  d.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  return d;
}

describe('group commit', () => {
  it('commits writes queued in one turn as one transaction, each resolving after the commit', async () => {
    const d = db();
    const gc = new GroupCommit(d);
    const ins = d.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => gc.run(() => ins.run(`k${i}`, i).changes)),
    );
    expect(results.every((r) => r === 1)).toBe(true);
    expect(gc.stats).toEqual({ batches: 1, writes: 50 });
    expect((d.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(50);
    d.close();
  });

  it('rolls back only the write that failed and rejects only its caller', async () => {
    const d = db();
    const gc = new GroupCommit(d);
    const ins = d.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const settled = await Promise.allSettled([
      gc.run(() => ins.run('a', 1)),
      gc.run(() => {
        ins.run('b', 2);
        ins.run('a', 3); // unique violation: the whole write, including 'b', rolls back
      }),
      gc.run(() => ins.run('c', 4)),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(d.prepare('SELECT k FROM t ORDER BY k').all()).toEqual([{ k: 'a' }, { k: 'c' }]);
    d.close();
  });
});
