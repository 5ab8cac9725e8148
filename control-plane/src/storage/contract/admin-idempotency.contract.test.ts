import { describe, expect, it } from 'vitest';
import { T0 } from './fixtures.js';
import { forEachStore, locationOf, openAt } from './stores.js';

forEachStore((open) => {
  describe('admin idempotency', () => {
    it('claims a key once; a second begin returns the claim in flight, then the finished response', async () => {
      const repo = await open();
      expect(await repo.adminIdempotency.begin('adm_a', 'k1', 'hash-1', T0)).toEqual({ started: true });
      expect(await repo.adminIdempotency.begin('adm_a', 'k1', 'hash-2', T0 + 1)).toEqual({
        started: false,
        existing: {
          adminId: 'adm_a',
          key: 'k1',
          requestHash: 'hash-1',
          status: null,
          contentType: null,
          body: null,
          createdAt: T0,
        },
      });
      const body = Buffer.from(JSON.stringify({ id: 'node_1', name: '东区' }));
      await repo.adminIdempotency.finish('adm_a', 'k1', 201, 'application/json; charset=utf-8', body);
      const again = await repo.adminIdempotency.begin('adm_a', 'k1', 'hash-1', T0 + 2);
      expect(again.started).toBe(false);
      if (again.started) return;
      expect(again.existing.status).toBe(201);
      expect(again.existing.contentType).toBe('application/json; charset=utf-8');
      expect(Buffer.isBuffer(again.existing.body)).toBe(true);
      expect(again.existing.body?.equals(body)).toBe(true);
    });

    it('scopes keys per admin', async () => {
      const repo = await open();
      expect((await repo.adminIdempotency.begin('adm_a', 'k', 'h', T0)).started).toBe(true);
      expect((await repo.adminIdempotency.begin('adm_b', 'k', 'h', T0)).started).toBe(true);
    });

    it('release frees an unfinished claim only; a finished response stays', async () => {
      const repo = await open();
      await repo.adminIdempotency.begin('adm_a', 'open', 'h', T0);
      await repo.adminIdempotency.begin('adm_a', 'done', 'h', T0);
      await repo.adminIdempotency.finish('adm_a', 'done', 200, 'text/plain', Buffer.from('ok'));
      await repo.adminIdempotency.release('adm_a', 'open');
      await repo.adminIdempotency.release('adm_a', 'done');
      expect((await repo.adminIdempotency.begin('adm_a', 'open', 'h2', T0 + 5)).started).toBe(true);
      const done = await repo.adminIdempotency.begin('adm_a', 'done', 'h', T0 + 5);
      expect(done.started === false && done.existing.status).toBe(200);
    });

    it('purges records created before a time and counts them', async () => {
      const repo = await open();
      await repo.adminIdempotency.begin('adm_a', 'old', 'h', T0 - 1);
      await repo.adminIdempotency.begin('adm_a', 'edge', 'h', T0);
      await repo.adminIdempotency.begin('adm_a', 'new', 'h', T0 + 1);
      expect(await repo.adminIdempotency.purge(T0)).toBe(1);
      expect((await repo.adminIdempotency.begin('adm_a', 'old', 'h', T0 + 2)).started).toBe(true);
      expect((await repo.adminIdempotency.begin('adm_a', 'edge', 'h', T0 + 2)).started).toBe(false);
    });

    it('lets exactly one of many concurrent claims of a key start, across two handles', async () => {
      const repo = await open();
      const other = await openAt(locationOf(repo));
      try {
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 ? other : repo).adminIdempotency.begin('adm_a', 'race', `h${i}`, T0 + i),
          ),
        );
        expect(results.filter((r) => r.started)).toHaveLength(1);
        const hashes = new Set(results.flatMap((r) => (r.started ? [] : [r.existing.requestHash])));
        expect(hashes.size).toBe(1);
      } finally {
        await other.close();
      }
    });
  });
});
