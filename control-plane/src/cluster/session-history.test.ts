import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceRuntime, ServerMessage } from '../../../protocol/schemas/channel.js';
import type { ConnectionInfo, ConnectionListener } from '../hub/device-hub.js';
import type { SessionCloseReason } from '../storage/device-sessions-repository.js';
import { migration0007 } from '../storage/sqlite/migrations/0007-cluster.js';
import { migration0012 } from '../storage/sqlite/migrations/0012-device-sessions.js';
import { SqliteCluster } from '../storage/sqlite/sqlite-cluster.js';
import { SqliteDeviceSessions } from '../storage/sqlite/sqlite-device-sessions.js';
import { ClusterNode } from './cluster-node.js';
import type { LocalHub } from './cluster-notifier.js';
import { leaseTiming } from './instance-lease.js';
import { LocalBus } from './local-bus.js';
import { SessionRetention } from './session-retention.js';

const silent = { info() {}, warn() {}, error() {} };
const RT: DeviceRuntime = { version: '0.1.0', node: 'v20.17.0' };

/** A hub without sockets that tells the cluster what DeviceHub tells it: session ids, runtime, reasons. */
class FakeHub implements LocalHub {
  readonly connected = new Map<string, string>();
  #listener: ConnectionListener | undefined;
  #n = 0;
  onConnection(l: ConnectionListener | undefined): void {
    this.#listener = l;
  }
  connect(id: string, runtime?: DeviceRuntime): string {
    const sessionId = `chs_${id}_${++this.#n}`;
    this.connected.set(id, sessionId);
    const info: ConnectionInfo = runtime ? { sessionId, runtime } : { sessionId };
    this.#listener?.(id, true, info);
    return sessionId;
  }
  drop(id: string, reason: SessionCloseReason = 'device', code?: number): void {
    const sessionId = this.connected.get(id);
    if (!sessionId) return;
    this.connected.delete(id);
    this.#listener?.(id, false, { sessionId, reason, ...(code !== undefined ? { code } : {}) });
  }
  notify(ids: Iterable<string>, _message: ServerMessage): number {
    return [...ids].filter((id) => this.connected.has(id)).length;
  }
  isOnline(id: string): boolean {
    return this.connected.has(id);
  }
  lastSeen(): number | undefined {
    return undefined;
  }
  disconnect(id: string, code: number): void {
    this.drop(id, 'server', code);
  }
}

describe('online history written by the cluster', () => {
  let now = 5_000_000;
  const clock = () => now;
  const timing = leaseTiming(10_000);
  let db: BetterSqlite3.Database;
  let sessions: SqliteDeviceSessions;
  let store: SqliteCluster;
  let bus: LocalBus;
  const nodes: ClusterNode[] = [];

  const node = async (hub: FakeHub, id: string, s: SqliteCluster = store) => {
    const n = new ClusterNode({
      store: s,
      bus,
      hub,
      now: clock,
      log: silent,
      timing,
      instanceId: id,
      sessions,
    });
    await n.start();
    nodes.push(n);
    return n;
  };
  const list = (deviceId: string) => sessions.list(deviceId, { limit: 20 });

  beforeEach(() => {
    now = 5_000_000;
    db = new BetterSqlite3(':memory:');
    db.exec(migration0007.sql);
    db.exec(migration0012.sql);
    sessions = new SqliteDeviceSessions(db);
    store = new SqliteCluster(db, sessions);
    bus = new LocalBus();
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.stop();
    db.close();
  });

  it('writes a reconnect wave of sessions in the presence batch: one transaction', async () => {
    let batches = 0;
    const counting = new (class extends SqliteCluster {
      override applyPresence(...args: Parameters<SqliteCluster['applyPresence']>) {
        batches++;
        return super.applyPresence(...args);
      }
    })(db, sessions);
    const hub = new FakeHub();
    const a = await node(hub, 'ins_a', counting);
    for (let i = 0; i < 500; i++) hub.connect(`dev_${i}`, RT);
    now += 10;
    hub.drop('dev_7', 'device', 1006);
    hub.connect('dev_7', RT);
    await a.notifier.settled();
    expect(batches).toBe(1);
    const open = db
      .prepare(
        'SELECT COUNT(*) AS n FROM device_channel_sessions WHERE disconnected_at IS NULL AND runtime_version = ?',
      )
      .get('0.1.0') as { n: number };
    expect(open.n).toBe(500);
    expect((await list('dev_7')).map((s) => [s.closeReason, s.closeCode])).toEqual([
      [null, null],
      ['device', 1006],
    ]);
  });

  it('closes the sessions of a dead instance when another reaps it, at the reap; a stalled one re-opens them', async () => {
    const hubA = new FakeHub();
    const hubB = new FakeHub();
    const a = await node(hubA, 'ins_a');
    const b = await node(hubB, 'ins_b');
    hubA.connect('dev_a', RT);
    hubB.connect('dev_b', RT);
    await a.notifier.settled();
    await b.notifier.settled();
    const opened = now;

    // A stops beating (a stall, or kill -9); B reaps it after the timeout.
    now += timing.timeoutMs + 1000;
    await b.tick();
    expect((await list('dev_a')).map((s) => [s.connectedAt, s.disconnectedAt, s.closeReason])).toEqual([
      [opened, now, 'instance-lost'],
    ]);
    expect((await list('dev_b'))[0]?.disconnectedAt).toBeNull();

    // A was only stalled: its next tick finds its lease gone, writes presence again, and the channel that
    // never closed is open again in the history.
    now += 1000;
    await a.tick();
    expect((await list('dev_a')).map((s) => [s.connectedAt, s.disconnectedAt, s.closeReason])).toEqual([
      [opened, null, null],
    ]);

    // A clean stop closes what is open there as server-stop.
    now += 1000;
    await a.stop();
    expect((await list('dev_a'))[0]?.closeReason).toBe('server-stop');
    expect((await list('dev_a'))[0]?.disconnectedAt).toBe(now);
  });

  it('keeps every open and close while the store refuses writes, in order, and writes them once it is back', async () => {
    let failing = true;
    const flaky = new (class extends SqliteCluster {
      override applyPresence(...args: Parameters<SqliteCluster['applyPresence']>) {
        if (failing) return Promise.reject(new Error('store down'));
        return super.applyPresence(...args);
      }
    })(db, sessions);
    const hub = new FakeHub();
    const a = await node(hub, 'ins_a', flaky);
    hub.connect('dev_f', RT);
    await a.notifier.settled();
    now += 100;
    hub.drop('dev_f', 'heartbeat');
    now += 100;
    hub.connect('dev_f');
    await a.notifier.settled();
    expect(await list('dev_f')).toEqual([]);
    failing = false;
    await a.notifier.settled();
    expect(
      (await list('dev_f')).map((s) => [s.connectedAt, s.disconnectedAt, s.closeReason, s.runtime]),
    ).toEqual([
      [now, null, null, null],
      [now - 200, now - 100, 'heartbeat', RT],
    ]);
  });

  it('bounds the history: the devices that connected lately are trimmed, at most every interval', async () => {
    const hub = new FakeHub();
    const a = await node(hub, 'ins_a');
    const retention = new SessionRetention({
      store: sessions,
      now: clock,
      log: silent,
      opened: () => a.notifier.takeOpened(),
      perDevice: 3,
      everyMs: 60_000,
    });
    for (let i = 0; i < 6; i++) {
      now += 10;
      hub.connect('dev_flap');
      now += 5;
      hub.drop('dev_flap');
    }
    await a.notifier.settled();
    // ClusterNode's own retention (started with the node) pruned at its first tick only; this one is fresh.
    expect((await list('dev_flap')).length).toBe(6);
    expect(await retention.maybePrune()).toBe(3);
    expect((await list('dev_flap')).length).toBe(3);
    hub.connect('dev_flap');
    await a.notifier.settled();
    // Not yet time again: nothing pruned, the device is remembered for the next round.
    expect(await retention.maybePrune()).toBe(0);
    now += 60_000;
    expect(await retention.maybePrune()).toBe(1);
    expect((await list('dev_flap')).length).toBe(3);
  });
});
