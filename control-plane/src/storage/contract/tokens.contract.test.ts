import { describe, expect, it } from 'vitest';
import { addAdmin, addNode, addToken, deviceFor, T0 } from './fixtures.js';
import { forEachStore, locationOf, openAt } from './stores.js';

forEachStore((open) => {
  async function seed() {
    const repo = await open();
    const city = await addNode(repo, '市');
    const admin = await addAdmin(repo, city, 'li');
    return { repo, city, admin };
  }

  describe('enrollment tokens', () => {
    it('round-trips a token with its tags', async () => {
      const { repo, city, admin } = await seed();
      const token = await addToken(repo, city, admin, { maxUses: 3, role: 'lobby' });
      expect(await repo.tokens.get(token.id)).toEqual(token);
      expect(await repo.tokens.get('enr_missing')).toBeUndefined();
    });

    it('consumes one use per device and says used_up after maxUses, changing nothing then', async () => {
      const { repo, city, admin } = await seed();
      const token = await addToken(repo, city, admin, { maxUses: 2 });
      const d1 = deviceFor(token, { name: 'one' });
      expect(await repo.tokens.consumeAndCreateDevice(token.id, d1, T0)).toEqual({ ok: true, device: d1 });
      expect(await repo.devices.get(d1.id)).toEqual(d1);
      expect((await repo.tokens.consumeAndCreateDevice(token.id, deviceFor(token), T0)).ok).toBe(true);
      const third = deviceFor(token);
      expect(await repo.tokens.consumeAndCreateDevice(token.id, third, T0)).toEqual({
        ok: false,
        reason: 'used_up',
      });
      expect(await repo.devices.get(third.id)).toBeUndefined();
      expect((await repo.tokens.get(token.id))?.uses).toBe(2);
      expect(await repo.devices.count()).toBe(2);
    });

    it('refuses an unknown, an expired (at expiresAt) and a revoked token', async () => {
      const { repo, city, admin } = await seed();
      const token = await addToken(repo, city, admin, { maxUses: 5, expiresAt: T0 + 100 });
      expect(await repo.tokens.consumeAndCreateDevice('enr_missing', deviceFor(token), T0)).toEqual({
        ok: false,
        reason: 'not_found',
      });
      expect(await repo.tokens.consumeAndCreateDevice(token.id, deviceFor(token), T0 + 100)).toEqual({
        ok: false,
        reason: 'expired',
      });
      expect((await repo.tokens.consumeAndCreateDevice(token.id, deviceFor(token), T0 + 99)).ok).toBe(true);
      expect(await repo.tokens.revoke(token.id, T0 + 50)).toBe(true);
      expect(await repo.tokens.revoke(token.id, T0 + 60)).toBe(false);
      expect((await repo.tokens.get(token.id))?.revokedAt).toBe(T0 + 50);
      expect(await repo.tokens.consumeAndCreateDevice(token.id, deviceFor(token), T0 + 1)).toEqual({
        ok: false,
        reason: 'revoked',
      });
      expect(await repo.tokens.revoke('enr_missing', T0)).toBe(false);
      expect((await repo.tokens.get(token.id))?.uses).toBe(1);
    });

    it('says key_taken for a public key already enrolled, and gives the use back', async () => {
      const { repo, city, admin } = await seed();
      const token = await addToken(repo, city, admin, { maxUses: 3 });
      await repo.tokens.consumeAndCreateDevice(token.id, deviceFor(token, { publicKey: 'KEY' }), T0);
      const dup = deviceFor(token, { publicKey: 'KEY' });
      expect(await repo.tokens.consumeAndCreateDevice(token.id, dup, T0)).toEqual({
        ok: false,
        reason: 'key_taken',
      });
      expect((await repo.tokens.get(token.id))?.uses).toBe(1);
      expect(await repo.devices.get(dup.id)).toBeUndefined();
    });

    it('lists the tokens of the given nodes only, newest first, by state, with the last use', async () => {
      const { repo, city, admin } = await seed();
      const a = await addNode(repo, 'A', city);
      const b = await addNode(repo, 'B', city);
      const old = await addToken(repo, a, admin, { maxUses: 2, createdAt: T0 });
      const used = await addToken(repo, a, admin, { maxUses: 1, createdAt: T0 + 1 });
      const expired = await addToken(repo, a, admin, { expiresAt: T0 + 10, createdAt: T0 + 2 });
      const revoked = await addToken(repo, a, admin, { createdAt: T0 + 3 });
      const sibling = await addToken(repo, b, admin, { createdAt: T0 + 4 });
      await repo.tokens.consumeAndCreateDevice(old.id, deviceFor(old, { enrolledAt: T0 + 5 }), T0 + 5);
      await repo.tokens.consumeAndCreateDevice(old.id, deviceFor(old, { enrolledAt: T0 + 7 }), T0 + 7);
      await repo.tokens.consumeAndCreateDevice(used.id, deviceFor(used, { enrolledAt: T0 + 6 }), T0 + 6);
      await repo.tokens.revoke(revoked.id, T0 + 8);
      const now = T0 + 20;
      const ids = async (state?: 'active' | 'used' | 'expired' | 'revoked', limit = 50) =>
        (await repo.tokens.list({ nodeIds: [a.id], state, now, limit })).map((t) => t.id);
      expect(await ids()).toEqual([revoked.id, expired.id, used.id, old.id]);
      expect(await ids(undefined, 2)).toEqual([revoked.id, expired.id]);
      expect(await ids('revoked')).toEqual([revoked.id]);
      expect(await ids('used')).toEqual([used.id, old.id]);
      expect(await ids('expired')).toEqual([expired.id]);
      expect(await ids('active')).toEqual([]);
      const both = await repo.tokens.list({ nodeIds: [a.id, b.id], state: 'active', now, limit: 50 });
      expect(both.map((t) => t.id)).toEqual([sibling.id]);
      expect(both[0]).toEqual({ ...sibling, lastUsedAt: null });
      const [listedOld] = await repo.tokens
        .list({ nodeIds: [a.id], state: 'used', now, limit: 50 })
        .then((l) => l.filter((t) => t.id === old.id));
      expect(listedOld).toEqual({ ...old, uses: 2, lastUsedAt: T0 + 7 });
      expect(await repo.tokens.list({ nodeIds: [], now, limit: 50 })).toEqual([]);
    });

    it('never exceeds maxUses under concurrent enrollments through two handles', async () => {
      const { repo, city, admin } = await seed();
      const other = await openAt(locationOf(repo));
      try {
        const token = await addToken(repo, city, admin, { maxUses: 3 });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? other : repo).tokens.consumeAndCreateDevice(token.id, deviceFor(token), T0),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(3);
        expect(results.filter((r) => !r.ok && r.reason === 'used_up')).toHaveLength(7);
        expect(await repo.devices.count()).toBe(3);
        expect((await repo.tokens.get(token.id))?.uses).toBe(3);
      } finally {
        await other.close();
      }
    });
  });
});
