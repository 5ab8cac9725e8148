import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/errors.js';
import { addAdmin, addNode, T0 } from './fixtures.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  describe('admins and their sessions', () => {
    it('creates, finds by id and by username, counts and lists oldest first', async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      const later = await addAdmin(repo, city, 'zhang', T0 + 10);
      const first = await addAdmin(repo, city, 'li', T0);
      expect(await repo.admins.get(first.id)).toEqual(first);
      expect(await repo.admins.findByUsername('zhang')).toEqual(later);
      expect(await repo.admins.findByUsername('ZHANG')).toBeUndefined();
      expect(await repo.admins.get('adm_missing')).toBeUndefined();
      expect(await repo.admins.count()).toBe(2);
      expect((await repo.admins.list()).map((a) => a.username)).toEqual(['li', 'zhang']);
    });

    it('refuses a second admin with the same username (LINLI_ERR_CONFLICT), and one on an unknown node', async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      await addAdmin(repo, city, 'li');
      await expect(addAdmin(repo, city, 'li')).rejects.toMatchObject({
        code: ErrorCode.CONFLICT,
        details: { field: 'username' },
      });
      await expect(addAdmin(repo, { ...city, id: 'node_missing' }, 'wang')).rejects.toThrow();
      expect(await repo.admins.count()).toBe(1);
    });

    it('stores sessions and finds them by token hash', async () => {
      const repo = await open();
      const admin = await addAdmin(repo, await addNode(repo, '市'), 'li');
      const s = { tokenHash: 'h1', subjectId: admin.id, createdAt: T0, expiresAt: T0 + 3_600_000 };
      await repo.admins.createSession(s);
      expect(await repo.admins.findSession('h1')).toEqual(s);
      expect(await repo.admins.findSession('h2')).toBeUndefined();
      // A session names an existing admin; a token hash is used once.
      await expect(
        repo.admins.createSession({ ...s, tokenHash: 'h3', subjectId: 'adm_missing' }),
      ).rejects.toThrow();
      await expect(repo.admins.createSession(s)).rejects.toThrow();
    });

    it('setPassword changes the hash and ends every session of that admin only', async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      const li = await addAdmin(repo, city, 'li');
      const wang = await addAdmin(repo, city, 'wang');
      const exp = T0 + 3_600_000;
      await repo.admins.createSession({ tokenHash: 'li-1', subjectId: li.id, createdAt: T0, expiresAt: exp });
      await repo.admins.createSession({ tokenHash: 'li-2', subjectId: li.id, createdAt: T0, expiresAt: exp });
      await repo.admins.createSession({
        tokenHash: 'wang-1',
        subjectId: wang.id,
        createdAt: T0,
        expiresAt: exp,
      });
      await repo.admins.setPassword(li.id, 'new-hash');
      expect((await repo.admins.get(li.id))?.passwordHash).toBe('new-hash');
      expect(await repo.admins.findSession('li-1')).toBeUndefined();
      expect(await repo.admins.findSession('li-2')).toBeUndefined();
      expect(await repo.admins.findSession('wang-1')).toBeDefined();
      expect((await repo.admins.get(wang.id))?.passwordHash).toBe(wang.passwordHash);
    });

    it('deletes the sessions expired at `now` (inclusive) and says how many', async () => {
      const repo = await open();
      const admin = await addAdmin(repo, await addNode(repo, '市'), 'li');
      for (const [h, exp] of [
        ['a', T0 - 1],
        ['b', T0],
        ['c', T0 + 1],
      ] as const) {
        await repo.admins.createSession({
          tokenHash: h,
          subjectId: admin.id,
          createdAt: T0 - 10,
          expiresAt: exp,
        });
      }
      expect(await repo.admins.deleteExpiredSessions(T0)).toBe(2);
      expect(await repo.admins.findSession('c')).toBeDefined();
      expect(await repo.admins.deleteExpiredSessions(T0)).toBe(0);
    });
  });
});
