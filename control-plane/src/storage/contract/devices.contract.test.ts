import { describe, expect, it } from 'vitest';
import { addAdmin, addNode, addToken, deviceFor, enroll, T0 } from './fixtures.js';
import { forEachStore } from './stores.js';

forEachStore((open) => {
  /** city → {east → east-1, west}; a token per node so devices can be enrolled anywhere. */
  async function seed() {
    const repo = await open();
    const city = await addNode(repo, '市');
    const east = await addNode(repo, 'east', city);
    const east1 = await addNode(repo, 'east-1', east);
    const west = await addNode(repo, 'west', city);
    const admin = await addAdmin(repo, city, 'li');
    const token = async (node: typeof city, role: 'kiosk' | 'lobby' | 'led' = 'kiosk') =>
      addToken(repo, node, admin, { maxUses: 10, role });
    return { repo, city, east, east1, west, token };
  }

  describe('devices and their sessions', () => {
    it('finds a device by id and by public key, with its JSON fields intact', async () => {
      const { repo, east, token } = await seed();
      const t = await token(east);
      const hw = { hostname: 'kiosk-东-1', model: 'RK3588', serial: 'SN 1' };
      const res = await repo.tokens.consumeAndCreateDevice(
        t.id,
        {
          ...deviceFor(t, { publicKey: 'PK1' }),
          hardware: hw,
          tags: ['a', '楼'],
        },
        T0,
      );
      expect(res.ok).toBe(true);
      if (!res.ok) return;
      expect(await repo.devices.get(res.device.id)).toEqual(res.device);
      expect((await repo.devices.findByPublicKey('PK1'))?.hardware).toEqual(hw);
      expect((await repo.devices.findByPublicKey('PK1'))?.tags).toEqual(['a', '楼']);
      expect(await repo.devices.findByPublicKey('PK2')).toBeUndefined();
      expect(await repo.devices.get('dev_missing')).toBeUndefined();
    });

    it('lists a subtree in enrollment order, filtered by role and status', async () => {
      const { repo, city, east, east1, west, token } = await seed();
      const kioskEast = await token(east);
      const ledEast1 = await token(east1, 'led');
      const kioskWest = await token(west);
      const a = await enroll(repo, kioskEast, { enrolledAt: T0 + 30 });
      const b = await enroll(repo, ledEast1, { enrolledAt: T0 + 10 });
      const c = await enroll(repo, kioskWest, { enrolledAt: T0 + 20 });
      const ids = (list: { id: string }[]) => list.map((d) => d.id);
      expect(ids(await repo.devices.list({ subtreeOf: city.id }))).toEqual([b.id, c.id, a.id]);
      expect(ids(await repo.devices.list({ subtreeOf: east.id }))).toEqual([b.id, a.id]);
      expect(ids(await repo.devices.list({ subtreeOf: east1.id }))).toEqual([b.id]);
      expect(ids(await repo.devices.list({ subtreeOf: city.id, role: 'kiosk' }))).toEqual([c.id, a.id]);
      expect(await repo.devices.list({ subtreeOf: 'node_missing' })).toEqual([]);
      await repo.devices.revoke(c.id, T0 + 40);
      expect(ids(await repo.devices.list({ subtreeOf: city.id, activeOnly: true }))).toEqual([b.id, a.id]);
      expect(ids(await repo.devices.list({ subtreeOf: city.id }))).toEqual([b.id, c.id, a.id]);
      expect(await repo.devices.count()).toBe(3);
    });

    it('lists active ids under a node for fan-out, by roles', async () => {
      const { repo, city, east, east1, west, token } = await seed();
      const a = await enroll(repo, await token(east));
      const b = await enroll(repo, await token(east1, 'led'));
      const c = await enroll(repo, await token(west, 'lobby'));
      const d = await enroll(repo, await token(east1, 'lobby'));
      await repo.devices.revoke(d.id, T0 + 5);
      const sorted = (xs: string[]) => [...xs].sort();
      expect(sorted(await repo.devices.listActiveIds(city.id))).toEqual(sorted([a.id, b.id, c.id]));
      expect(sorted(await repo.devices.listActiveIds(city.id, []))).toEqual(sorted([a.id, b.id, c.id]));
      expect(sorted(await repo.devices.listActiveIds(east.id))).toEqual(sorted([a.id, b.id]));
      expect(sorted(await repo.devices.listActiveIds(city.id, ['led', 'lobby']))).toEqual(
        sorted([b.id, c.id]),
      );
      expect(await repo.devices.listActiveIds(west.id, ['kiosk'])).toEqual([]);
      expect(await repo.devices.listActiveIds('node_missing')).toEqual([]);
    });

    it('touch records last seen, and the last status only when given', async () => {
      const { repo, east, token } = await seed();
      const d = await enroll(repo, await token(east));
      await repo.devices.touch(d.id, T0 + 100, { printer: 'ok', temp: 41.5, notes: ['纸少'] });
      await repo.devices.touch(d.id, T0 + 200);
      const got = await repo.devices.get(d.id);
      expect(got?.lastSeenAt).toBe(T0 + 200);
      expect(got?.lastStatus).toEqual({ printer: 'ok', temp: 41.5, notes: ['纸少'] });
    });

    it('revoke marks the device revoked once and ends its sessions only', async () => {
      const { repo, east, token } = await seed();
      const t = await token(east);
      const d = await enroll(repo, t);
      const other = await enroll(repo, t);
      const exp = T0 + 3_600_000;
      await repo.devices.createSession({ tokenHash: 's1', subjectId: d.id, createdAt: T0, expiresAt: exp });
      await repo.devices.createSession({ tokenHash: 's2', subjectId: d.id, createdAt: T0, expiresAt: exp });
      await repo.devices.createSession({
        tokenHash: 'o1',
        subjectId: other.id,
        createdAt: T0,
        expiresAt: exp,
      });
      expect(await repo.devices.findSession('s1')).toEqual({
        tokenHash: 's1',
        subjectId: d.id,
        createdAt: T0,
        expiresAt: exp,
      });
      expect(await repo.devices.revoke(d.id, T0 + 9)).toBe(true);
      expect(await repo.devices.revoke(d.id, T0 + 10)).toBe(false);
      expect(await repo.devices.revoke('dev_missing', T0 + 10)).toBe(false);
      const got = await repo.devices.get(d.id);
      expect(got?.status).toBe('revoked');
      expect(got?.revokedAt).toBe(T0 + 9);
      expect(await repo.devices.findSession('s1')).toBeUndefined();
      expect(await repo.devices.findSession('s2')).toBeUndefined();
      expect(await repo.devices.findSession('o1')).toBeDefined();
    });

    it('deletes expired sessions (inclusive) and refuses a session for an unknown device', async () => {
      const { repo, east, token } = await seed();
      const d = await enroll(repo, await token(east));
      await repo.devices.createSession({ tokenHash: 'old', subjectId: d.id, createdAt: T0, expiresAt: T0 });
      await repo.devices.createSession({
        tokenHash: 'new',
        subjectId: d.id,
        createdAt: T0,
        expiresAt: T0 + 1,
      });
      expect(await repo.devices.deleteExpiredSessions(T0)).toBe(1);
      expect(await repo.devices.findSession('old')).toBeUndefined();
      expect(await repo.devices.findSession('new')).toBeDefined();
      await expect(
        repo.devices.createSession({
          tokenHash: 'x',
          subjectId: 'dev_missing',
          createdAt: T0,
          expiresAt: T0,
        }),
      ).rejects.toThrow();
    });
  });
});
