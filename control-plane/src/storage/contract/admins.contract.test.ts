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

    it('setPassword with keepTokenHash keeps that one session and ends the others', async () => {
      const repo = await open();
      const li = await addAdmin(repo, await addNode(repo, '市'), 'li');
      const exp = T0 + 3_600_000;
      for (const h of ['li-1', 'li-2'])
        await repo.admins.createSession({ tokenHash: h, subjectId: li.id, createdAt: T0, expiresAt: exp });
      await repo.admins.setPassword(li.id, 'new-hash', 'li-2');
      expect((await repo.admins.get(li.id))?.passwordHash).toBe('new-hash');
      expect(await repo.admins.findSession('li-1')).toBeUndefined();
      expect(await repo.admins.findSession('li-2')).toBeDefined();
      expect((await repo.admins.get(li.id))?.mustChangePassword).toBeUndefined();
      // An admin's reset sets the must-change flag (visible from every read); the user's change clears it.
      await repo.admins.setPassword(li.id, 'temp-hash', undefined, true);
      expect((await repo.admins.get(li.id))?.mustChangePassword).toBe(true);
      expect((await repo.admins.findByUsername('li'))?.mustChangePassword).toBe(true);
      expect(await repo.admins.findSession('li-2')).toBeUndefined();
      await repo.admins.setPassword(li.id, 'own-hash');
      expect(await repo.admins.get(li.id)).toEqual({ ...li, passwordHash: 'own-hash' });
    });

    it('setDisabled stores the time, ends every session of that admin only, and enables again', async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      const li = await addAdmin(repo, city, 'li');
      const wang = await addAdmin(repo, city, 'wang');
      const exp = T0 + 3_600_000;
      await repo.admins.createSession({ tokenHash: 'li-1', subjectId: li.id, createdAt: T0, expiresAt: exp });
      await repo.admins.createSession({
        tokenHash: 'w-1',
        subjectId: wang.id,
        createdAt: T0,
        expiresAt: exp,
      });
      expect((await repo.admins.get(li.id))?.disabledAt).toBeUndefined();
      await repo.admins.setDisabled(li.id, T0 + 5);
      expect((await repo.admins.get(li.id))?.disabledAt).toBe(T0 + 5);
      expect((await repo.admins.findByUsername('li'))?.disabledAt).toBe(T0 + 5);
      expect((await repo.admins.list()).find((a) => a.id === li.id)?.disabledAt).toBe(T0 + 5);
      expect(await repo.admins.findSession('li-1')).toBeUndefined();
      expect(await repo.admins.findSession('w-1')).toBeDefined();
      expect((await repo.admins.get(wang.id))?.disabledAt).toBeUndefined();
      await repo.admins.setDisabled(li.id, null);
      expect(await repo.admins.get(li.id)).toEqual(li);
    });

    it("lists one admin's live sessions oldest first and deletes one of them only", async () => {
      const repo = await open();
      const city = await addNode(repo, '市');
      const li = await addAdmin(repo, city, 'li');
      const wang = await addAdmin(repo, city, 'wang');
      const mk = (tokenHash: string, subjectId: string, createdAt: number, expiresAt: number) =>
        repo.admins.createSession({ tokenHash, subjectId, createdAt, expiresAt });
      await mk('li-new', li.id, T0 + 2, T0 + 100);
      await mk('li-old', li.id, T0 + 1, T0 + 100);
      await mk('li-dead', li.id, T0, T0 + 10);
      await mk('w-1', wang.id, T0, T0 + 100);
      const listed = await repo.admins.listSessions(li.id, T0 + 10);
      expect(listed).toEqual([
        { tokenHash: 'li-old', subjectId: li.id, createdAt: T0 + 1, expiresAt: T0 + 100 },
        { tokenHash: 'li-new', subjectId: li.id, createdAt: T0 + 2, expiresAt: T0 + 100 },
      ]);
      expect(await repo.admins.deleteSession(li.id, 'w-1')).toBe(false);
      expect(await repo.admins.findSession('w-1')).toBeDefined();
      expect(await repo.admins.deleteSession(li.id, 'li-old')).toBe(true);
      expect(await repo.admins.deleteSession(li.id, 'li-old')).toBe(false);
      expect((await repo.admins.listSessions(li.id, T0 + 10)).map((x) => x.tokenHash)).toEqual(['li-new']);
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
