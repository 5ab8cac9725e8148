import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRepository } from '../storage/cluster-repository.js';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from '../storage/contract/pg-env.js';
import { pgMigration0007 } from '../storage/pg/migrations/0007-cluster.js';
import { pgMigration0012 } from '../storage/pg/migrations/0012-device-sessions.js';
import { PgCluster } from '../storage/pg/pg-cluster.js';
import { PgDatabase } from '../storage/pg/pg-database.js';
import { migration0007 } from '../storage/sqlite/migrations/0007-cluster.js';
import { migration0012 } from '../storage/sqlite/migrations/0012-device-sessions.js';
import { SqliteCluster } from '../storage/sqlite/sqlite-cluster.js';

/** The same contract for both stores: leases, presence, single-use nonces, mail taken once. */
function contract(name: string, open: () => Promise<{ store: ClusterRepository; close(): Promise<void> }>) {
  describe(`cluster store: ${name}`, () => {
    let store: ClusterRepository;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => close?.());

    it('renews a lease, reports it lost after a reap, and reaps a dead instance with its presence and mail', async () => {
      expect(await store.heartbeat('ins_a', 1000, 1000)).toBe(false);
      expect(await store.heartbeat('ins_a', 1000, 2000)).toBe(true);
      expect(await store.heartbeat('ins_b', 1500, 1500)).toBe(false);
      await store.applyPresence('ins_a', [{ deviceId: 'dev_1', connected: true, since: 1000 }]);
      await store.applyPresence('ins_b', [{ deviceId: 'dev_2', connected: true, since: 1500 }]);
      await store.postMail('ins_b', 'deliver', '{}', 1500);
      expect((await store.liveInstances(1600)).map((i) => i.id)).toEqual(['ins_a']);
      expect(await store.listPresence(1600)).toEqual([
        { deviceId: 'dev_1', instanceId: 'ins_a', since: 1000 },
      ]);
      expect(await store.reapInstances(1600, 1600)).toEqual(['ins_b']);
      expect(await store.takeAllMail('ins_b')).toEqual([]);
      expect(await store.listPresence(0)).toHaveLength(1);
      // ins_b comes back (it had stalled): its lease is new again, so it knows to rewrite its presence.
      expect(await store.heartbeat('ins_b', 1500, 3000)).toBe(false);
      await store.removeInstance('ins_a', 3000);
      await store.removeInstance('ins_b', 3000);
      expect(await store.listPresence(0)).toEqual([]);
    });

    it('moves a device between instances; only the holder clears it', async () => {
      await store.heartbeat('ins_a', 1, 10_000);
      await store.heartbeat('ins_b', 1, 10_000);
      const open = (deviceId: string, since: number) => ({ deviceId, connected: true, since });
      const close = (deviceId: string) => ({ deviceId, connected: false, since: 7 });
      await store.applyPresence('ins_a', [open('dev_m', 5), open('dev_n', 5)]);
      await store.applyPresence('ins_b', [open('dev_m', 6)]);
      // A's late close of the device that moved does nothing; its close of dev_n does.
      expect(await store.applyPresence('ins_a', [close('dev_m'), close('dev_n')])).toEqual([close('dev_n')]);
      expect(await store.listPresence(0)).toEqual([{ deviceId: 'dev_m', instanceId: 'ins_b', since: 6 }]);
      expect(await store.applyPresence('ins_b', [close('dev_m')])).toEqual([close('dev_m')]);
      expect(await store.listPresence(0)).toEqual([]);
      expect(await store.applyPresence('ins_b', [])).toEqual([]);
    });

    it('takes a nonce once, only for its purpose and subject, only while fresh', async () => {
      await store.issueNonce({ nonce: 'n1', purpose: 'session', subject: 'dev_1', expiresAt: 100 });
      await store.issueNonce({ nonce: 'n2', purpose: 'enroll', subject: null, expiresAt: 100 });
      expect(await store.nonceLive('n1', 'session', 'dev_1', 50)).toBe(true);
      expect(await store.takeNonce('n1', 'enroll', null, 50)).toBe(false);
      expect(await store.takeNonce('n1', 'session', 'dev_2', 50)).toBe(false);
      expect(await store.takeNonce('n2', 'enroll', null, 100)).toBe(false);
      const races = await Promise.all(
        Array.from({ length: 8 }, () => store.takeNonce('n1', 'session', 'dev_1', 50)),
      );
      expect(races.filter(Boolean)).toHaveLength(1);
      expect(await store.nonceLive('n1', 'session', 'dev_1', 50)).toBe(false);
      expect(await store.pruneNonces(100)).toBe(1);
    });

    it('hands each message out once, oldest first, and routes answers to the waiting instance', async () => {
      const s1 = await store.postMail('ins_x', 'deliver', '"one"', 10);
      const s2 = await store.postMail('ins_x', 'answer', '"two"', 11);
      await store.postMail('ins_y', 'deliver', '"other"', 12);
      const [a, b] = await Promise.all([store.takeMail('ins_x', s1), store.takeMail('ins_x', s1)]);
      expect([a, b].filter((m) => m !== undefined)).toHaveLength(1);
      expect(await store.takeMail('ins_y', s2)).toBeUndefined();
      expect((await store.takeAllMail('ins_x')).map((m) => m.body)).toEqual(['"two"']);
      expect(await store.pruneMail(13)).toBe(1);
      await store.trackRequest('req_1', 'ins_x', 'dev_1', 100);
      expect(await store.requestOwner('req_1', 'dev_1', 50)).toBe('ins_x');
      expect(await store.requestOwner('req_1', 'dev_2', 50)).toBeUndefined();
      expect(await store.requestOwner('req_1', 'dev_1', 100)).toBeUndefined();
      await store.dropRequest('req_1');
      expect(await store.requestOwner('req_1', 'dev_1', 50)).toBeUndefined();
    });
  });
}

contract('sqlite', async () => {
  const db = new BetterSqlite3(':memory:');
  db.exec(migration0007.sql);
  db.exec(migration0012.sql);
  return { store: new SqliteCluster(db), close: async () => void db.close() };
});

const runPg = await pgShouldRun('the cluster store contract');
describe.runIf(runPg)('postgresql', () => {
  contract('postgresql', async () => {
    const schema = freshSchemaName('linli_cluster');
    const db = await PgDatabase.open({ url: PG_TEST_URL, schema });
    await db.query(pgMigration0007.sql);
    await db.query(pgMigration0012.sql);
    return {
      store: new PgCluster(db),
      close: async () => {
        await db.close();
        await dropSchema(schema);
      },
    };
  });
});
