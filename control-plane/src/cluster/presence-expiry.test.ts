import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../protocol/schemas/channel.js';
import { migration0007 } from '../storage/sqlite/migrations/0007-cluster.js';
import { migration0012 } from '../storage/sqlite/migrations/0012-device-sessions.js';
import { SqliteCluster } from '../storage/sqlite/sqlite-cluster.js';
import { ClusterNode } from './cluster-node.js';
import type { LocalHub } from './cluster-notifier.js';
import { leaseTiming } from './instance-lease.js';
import { LocalBus } from './local-bus.js';

const silent = { info() {}, warn() {}, error() {} };

/** A hub without sockets: which devices are connected here, and what each was sent. */
class FakeHub implements LocalHub {
  readonly connected = new Set<string>();
  readonly sent: { id: string; message: ServerMessage }[] = [];
  #listener: ((id: string, connected: boolean) => void) | undefined;
  onConnection(l: ((id: string, connected: boolean) => void) | undefined): void {
    this.#listener = l;
  }
  connect(id: string): void {
    this.connected.add(id);
    this.#listener?.(id, true);
  }
  drop(id: string): void {
    this.connected.delete(id);
    this.#listener?.(id, false);
  }
  notify(ids: Iterable<string>, message: ServerMessage): number {
    let n = 0;
    for (const id of ids) {
      if (!this.connected.has(id)) continue;
      this.sent.push({ id, message });
      n++;
    }
    return n;
  }
  isOnline(id: string): boolean {
    return this.connected.has(id);
  }
  lastSeen(): number | undefined {
    return undefined;
  }
  disconnect(id: string): void {
    if (this.connected.has(id)) this.drop(id);
  }
}

describe('presence across instances, on an injected clock', () => {
  let now = 1_000_000;
  const clock = () => now;
  const timing = leaseTiming(10_000); // dead after 25 s without a heartbeat
  let db: BetterSqlite3.Database;
  let store: SqliteCluster;
  let bus: LocalBus;
  const nodes: ClusterNode[] = [];

  const node = async (hub: FakeHub, id: string) => {
    const n = new ClusterNode({ store, bus, hub, now: clock, log: silent, timing, instanceId: id });
    await n.start();
    nodes.push(n);
    return n;
  };

  beforeEach(() => {
    now = 1_000_000;
    db = new BetterSqlite3(':memory:');
    db.exec(migration0007.sql);
    db.exec(migration0012.sql);
    store = new SqliteCluster(db);
    bus = new LocalBus();
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.stop();
    db.close();
  });

  it("counts a dead instance's devices offline once its lease times out, never before, never forever", async () => {
    const hubA = new FakeHub();
    const hubB = new FakeHub();
    const a = await node(hubA, 'ins_a');
    const b = await node(hubB, 'ins_b');
    hubA.connect('dev_1');
    await a.notifier.settled();
    await expect.poll(() => b.notifier.isOnline('dev_1')).toBe(true);

    // A dies (kill -9: no stop, no more heartbeats). B keeps beating.
    now += timing.timeoutMs - 1000;
    await b.tick();
    expect(b.notifier.isOnline('dev_1')).toBe(true);
    now += 2000;
    await b.tick();
    expect(b.notifier.isOnline('dev_1')).toBe(false);
    expect(await store.listPresence(0)).toEqual([]);
    expect((await store.liveInstances(0)).map((i) => i.id)).toEqual(['ins_b']);

    // A fresh instance starting later sees the same: nothing of A's is online.
    const c = await node(new FakeHub(), 'ins_c');
    expect(c.notifier.isOnline('dev_1')).toBe(false);
  });

  it("a stalled instance that was reaped writes its devices' presence again on its next heartbeat", async () => {
    const hubA = new FakeHub();
    const a = await node(hubA, 'ins_a');
    const b = await node(new FakeHub(), 'ins_b');
    hubA.connect('dev_2');
    await a.notifier.settled();
    now += timing.timeoutMs + 1;
    await b.tick();
    expect(b.notifier.isOnline('dev_2')).toBe(false);
    await a.tick();
    await b.tick();
    expect(b.notifier.isOnline('dev_2')).toBe(true);
  });

  it('routes a message to the instance holding the device, and to no one for a device nobody holds', async () => {
    const hubA = new FakeHub();
    const hubB = new FakeHub();
    await node(hubA, 'ins_a');
    const b = await node(hubB, 'ins_b');
    hubA.connect('dev_a');
    hubB.connect('dev_b');
    await expect.poll(() => b.notifier.isOnline('dev_a')).toBe(true);
    const sent = b.notifier.notify(['dev_a', 'dev_b', 'dev_nobody'], { type: 'sync', topic: 'content' });
    expect(sent).toBe(2);
    expect(hubB.sent.map((s) => s.id)).toEqual(['dev_b']);
    await expect.poll(() => hubA.sent.map((s) => s.id)).toEqual(['dev_a']);
    expect(hubA.sent[0]?.message).toEqual({ type: 'sync', topic: 'content' });
  });

  it('catches up mail sent while an instance was not listening', async () => {
    const hubA = new FakeHub();
    await node(hubA, 'ins_a');
    hubA.connect('dev_a');
    // Posted straight into the store (the NOTIFY was lost): the next catch-up delivers it, once.
    await store.postMail(
      'ins_a',
      'deliver',
      JSON.stringify({ ids: ['dev_a'], message: { type: 'sync', topic: 'keys' } }),
      now,
    );
    const a = nodes[0];
    await a?.mailbox.catchUp();
    await a?.mailbox.catchUp();
    expect(hubA.sent).toEqual([{ id: 'dev_a', message: { type: 'sync', topic: 'keys' } }]);
  });

  it('writes a reconnect wave in one batch and announces it in a few bus messages', async () => {
    let batches = 0;
    const counting = new (class extends SqliteCluster {
      override applyPresence(...args: Parameters<SqliteCluster['applyPresence']>) {
        batches++;
        return super.applyPresence(...args);
      }
    })(db);
    const hubA = new FakeHub();
    const a = new ClusterNode({
      store: counting,
      bus,
      hub: hubA,
      now: clock,
      log: silent,
      timing,
      instanceId: 'ins_a',
    });
    await a.start();
    nodes.push(a);
    const b = await node(new FakeHub(), 'ins_b');
    const heard: string[] = [];
    await bus.subscribe('presence', (p) => heard.push(p));
    for (let i = 0; i < 1000; i++) hubA.connect(`dev_${String(i).padStart(6, '0')}`);
    await a.notifier.settled();
    expect(batches).toBe(1);
    expect((await store.listPresence(0)).length).toBe(1000);
    await expect.poll(() => heard.length).toBeGreaterThan(0);
    expect(heard.length).toBeLessThan(10);
    await expect.poll(() => b.notifier.isOnline('dev_000999')).toBe(true);
    expect(b.presence.remoteCount).toBe(1000);
  });

  it('gives the lease back on stop: its devices are offline at once', async () => {
    const hubA = new FakeHub();
    const a = await node(hubA, 'ins_a');
    const b = await node(new FakeHub(), 'ins_b');
    hubA.connect('dev_3');
    await expect.poll(() => b.notifier.isOnline('dev_3')).toBe(true);
    await a.stop();
    await b.tick();
    expect(b.notifier.isOnline('dev_3')).toBe(false);
  });
});
