import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '../../../../protocol/ids.js';
import { officeBody } from '../../testing/service-fixtures.js';
import { SqliteRepository } from './sqlite-repository.js';

const WORKER = join(import.meta.dirname, '..', '..', 'testing', 'book-worker.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'linli-apt-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function lines(child: ChildProcess): AsyncIterator<string> {
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
  return {
    async next() {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return { value: queue.shift()!, done: false };
    },
  };
}

describe('SqliteAppointments.book', () => {
  it('never exceeds capacity when separate processes book the same slot at once', async () => {
    const repo = SqliteRepository.open(dataDir);
    const now = Date.now();
    const nodeId = newId('node', now);
    await repo.nodes.create({
      id: nodeId,
      parentId: null,
      level: 'city',
      name: '测试市',
      timezone: 'Asia/Shanghai',
      ancestry: [nodeId],
      createdAt: now,
    });
    const audit = { at: now, actor: 'test', action: 'create' as const, entityId: 'x', detail: null };
    await repo.services.createCategory(
      { id: 'elderly', name: { zh: '老年人' }, icon: 'elderly', order: 1, createdAt: now, updatedAt: now },
      { ...audit, entity: 'category' },
    );
    const officeId = newId('ofc', now);
    const { nodeId: _n, ...office } = officeBody(nodeId);
    await repo.services.saveOffice(
      { office: { id: officeId, nodeId, ...office }, createdAt: now, updatedAt: now },
      { ...audit, entity: 'office' },
    );
    const matterId = newId('svc', now);
    await repo.services.saveMatter(
      {
        matter: {
          id: matterId,
          categoryId: 'elderly',
          name: { zh: '测试' },
          initials: 'CS',
          legalBasis: { zh: '无' },
          covers: { zh: '无' },
          materials: [],
          steps: [{ zh: '来' }],
          timeLimit: { zh: '即时' },
          fee: { zh: '免费' },
          bookable: true,
          order: 1,
        },
        nodeId,
        createdBy: 'test',
        updatedBy: 'test',
        createdAt: now,
        updatedAt: now,
      },
      { ...audit, entity: 'matter' },
    );
    await repo.close();

    const slotStart = Date.parse('2026-12-01T01:00:00.000Z');
    const capacity = 5;
    const workers = Array.from({ length: 4 }, () =>
      spawn(
        process.execPath,
        ['--import', 'tsx', WORKER, dataDir, officeId, matterId, String(slotStart), String(capacity), '6'],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    const outs = workers.map(lines);
    for (const o of outs) expect((await o.next()).value).toBe('ready');
    for (const w of workers) w.stdin!.write('go\n');
    const results = await Promise.all(
      outs.map(async (o) => JSON.parse((await o.next()).value) as { ok: number; full: number }),
    );
    expect(results.reduce((s, r) => s + r.ok, 0)).toBe(capacity);
    expect(results.reduce((s, r) => s + r.full, 0)).toBe(4 * 6 - capacity);

    const check = SqliteRepository.open(dataDir);
    const rows = check.db
      .prepare('SELECT seq, number FROM appointments WHERE office_id = ? ORDER BY seq')
      .all(officeId) as { seq: number; number: string }[];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((r) => r.number)).toEqual(['A001', 'A002', 'A003', 'A004', 'A005']);
    await check.close();
  }, 120_000);
});
