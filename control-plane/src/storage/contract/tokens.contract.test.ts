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
