import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from '../storage/contract/pg-env.js';
import { PgDatabase } from '../storage/pg/pg-database.js';
import type { ClusterBus } from './cluster-bus.js';
import { LocalBus } from './local-bus.js';
import { PgBus, pgChannelName } from './pg-bus.js';

const silent = { info() {}, warn() {}, error() {} };

function heard(bus: ClusterBus, channel: string) {
  const got: string[] = [];
  const ready = bus.subscribe(channel, (p) => got.push(p));
  return { got, ready };
}

/** What both buses promise: publish reaches every subscriber of that channel only, unsubscribe stops it. */
function busContract(
  name: string,
  pair: () => Promise<{ a: ClusterBus; b: ClusterBus; close(): Promise<void> }>,
) {
  describe(`cluster bus: ${name}`, () => {
    let a: ClusterBus;
    let b: ClusterBus;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ a, b, close } = await pair());
      await a.start();
      await b.start();
    });
    afterAll(async () => {
      await a.stop();
      await b.stop();
      await close();
    });

    it('delivers a publish to every subscriber of the channel, on either side, and to no other channel', async () => {
      const onB = heard(b, 'presence');
      const onA = heard(a, 'presence');
      const other = heard(b, 'nodes-changed');
      await Promise.all([onA.ready, onB.ready, other.ready]);
      await a.publish('presence', 'dev_1 ins_a 1');
      await a.publish('presence', 'dev_2 ins_a 1');
      await expect.poll(() => onB.got).toEqual(['dev_1 ins_a 1', 'dev_2 ins_a 1']);
      await expect.poll(() => onA.got).toEqual(['dev_1 ins_a 1', 'dev_2 ins_a 1']);
      expect(other.got).toEqual([]);
    });

    it('stops delivering after unsubscribe', async () => {
      const got: string[] = [];
      const off = await b.subscribe('mail.ins_b', (p) => got.push(p));
      await a.publish('mail.ins_b', '1');
      await expect.poll(() => got).toEqual(['1']);
      off();
      await a.publish('mail.ins_b', '2');
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual(['1']);
    });

    it('refuses a payload too big for NOTIFY (bodies belong in the store)', async () => {
      await expect(a.publish('presence', 'x'.repeat(8000))).rejects.toThrow(/put the body in the store/);
    });
  });
}

busContract('in-process', async () => {
  const bus = new LocalBus();
  return { a: bus, b: bus, close: async () => {} };
});

const runPg = await pgShouldRun('the LISTEN/NOTIFY bus');
describe.runIf(runPg)('postgresql', () => {
  const schema = freshSchemaName('linli_bus');
  let db: PgDatabase;
  const opts = () => ({ url: PG_TEST_URL, publisher: db, prefix: schema, log: silent, minBackoffMs: 20 });

  busContract('LISTEN/NOTIFY', async () => {
    db = await PgDatabase.open({ url: PG_TEST_URL, schema });
    return {
      a: new PgBus(opts()),
      b: new PgBus(opts()),
      close: async () => {
        await db.close();
        await dropSchema(schema);
      },
    };
  });

  it('keeps runs apart by prefix, and hashes names PostgreSQL would truncate', () => {
    expect(pgChannelName('p1', 'presence')).toBe('p1.presence');
    const long = pgChannelName(schema, `mail.${'i'.repeat(80)}`);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(pgChannelName(schema, `mail.${'i'.repeat(80)}`)).toBe(long);
    expect(pgChannelName(schema, `mail.${'j'.repeat(80)}`)).not.toBe(long);
  });

  it('comes back after its LISTEN connection is killed: listens again and asks for a catch-up', async () => {
    const pool = await PgDatabase.open({ url: PG_TEST_URL, schema: `${schema}_r` });
    // Backoff of 250–500 ms: long enough to see it down, short enough for a test.
    const listener = new PgBus({ ...opts(), publisher: pool, minBackoffMs: 500 });
    const talker = new PgBus({ ...opts(), publisher: pool });
    try {
      const got: string[] = [];
      let resyncs = 0;
      listener.onResync(() => resyncs++);
      await listener.subscribe('nodes-changed', (p) => got.push(p));
      await listener.start();
      await talker.publish('nodes-changed', 'before');
      await expect.poll(() => got).toEqual(['before']);

      const pid = await listener.backendPid();
      const admin = new pg.Client({ connectionString: PG_TEST_URL });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.end();
      await expect.poll(() => listener.connected, { interval: 10 }).toBe(false);
      // Sent while nobody listens: NOTIFY does not queue it, which is why the resync exists.
      await talker.publish('nodes-changed', 'lost');
      await expect.poll(() => resyncs, { timeout: 5000 }).toBe(1);
      expect(listener.connected).toBe(true);
      expect(await listener.backendPid()).not.toBe(pid);
      await talker.publish('nodes-changed', 'after');
      await expect.poll(() => got).toContain('after');
    } finally {
      await listener.stop();
      await talker.stop();
      await pool.close();
      await dropSchema(`${schema}_r`);
    }
  });
});
