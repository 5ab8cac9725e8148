import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CloseCode, type DeviceRuntime, type ServerMessage } from '../../../protocol/schemas/channel.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import type { NoticeTargets } from '../../../protocol/schemas/notice.js';
import type { Logger } from '../services/context.js';
import type { SessionCloseReason } from '../storage/device-sessions-repository.js';
import type { Repository } from '../storage/repository.js';
import { textFrame, writeFrame } from './ws-internals.js';

/** What services need from the hub; they never see a socket. */
export interface DeviceNotifier {
  /** Sends one message to every listed device that is connected; returns how many were sent to. */
  notify(deviceIds: Iterable<string>, message: ServerMessage): number;
  isOnline(deviceId: string): boolean;
  /** Last time the device was heard from (connect, status, pong), if this process has heard it. */
  lastSeen(deviceId: string): number | undefined;
  disconnect(deviceId: string, code: number, reason: string): void;
  /**
   * Connected devices that notice targets reach (node subtree, role, tags), from memory: the fan-out path
   * needs no storage read before its first send. Optional, so a notifier without a local index (one that
   * routes across instances, say) still fits; callers then resolve targets from storage.
   */
  connectedTargets?(targets: readonly NoticeTargets[]): string[];
}

/** What /metrics counts in the hub (plugins/metrics.ts); absent, the hub measures nothing. */
export interface HubMeter {
  /** A pong answered this hub's heartbeat ping after `seconds`. */
  pong(seconds: number): void;
  /** A message of this type was written to `count` sockets. */
  sent(type: ServerMessage['type'], count: number): void;
}

/**
 * Which channel opened or closed, for the online history: its session id, on open the runtime the device
 * told, on close why (and the WebSocket close code when there is one).
 */
export interface ConnectionInfo {
  sessionId: string;
  runtime?: DeviceRuntime;
  reason?: SessionCloseReason;
  code?: number;
}

/** Told when a device's channel on this hub opens or closes (the cluster records presence in the store). */
export type ConnectionListener = (deviceId: string, connected: boolean, info?: ConnectionInfo) => void;

/** Where a device sits, learnt at register, so targets resolve without storage. */
export interface DevicePlacement {
  /** The device's node and every node above it (root first or last: order does not matter). */
  ancestry: readonly string[];
  role: DeviceRole;
  tags: readonly string[];
}

/** Kept small on purpose: one of these per connected screen, thousands per process. */
interface Connection {
  readonly deviceId: string;
  readonly socket: WebSocket;
  readonly sessionId: string;
  readonly placement: DevicePlacement | undefined;
  alive: boolean;
  /** performance.now() of the heartbeat ping not yet answered, 0 if none (channel latency). */
  pingAt: number;
}

export interface DeviceHubOptions {
  repo: Repository;
  now: () => number;
  heartbeatSec: number;
  log: Logger;
}

const OPEN = 1;
/** Presence writes are gathered this long and committed together. */
export const PRESENCE_FLUSH_MS = 200;
const NO_PLACEMENT: readonly Connection[] = [];
const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * deviceId → socket for every authenticated channel, an index of them by node, presence and heartbeats. One
 * timer pings every socket (not one timer per socket), one shared pong listener serves all of them, and a
 * message for many devices is serialised and framed once, because a city fans a notice out to thousands of
 * screens.
 */
export class DeviceHub implements DeviceNotifier {
  readonly #connections = new Map<string, Connection>();
  readonly #bySocket = new Map<WebSocket, Connection>();
  /** nodeId → connections of devices at or below it. */
  readonly #byNode = new Map<string, Set<Connection>>();
  readonly #seen = new Map<string, number>();
  /** One ancestry array per node path, shared by every device under it (thousands of copies otherwise). */
  readonly #ancestries = new Map<string, readonly string[]>();
  /** Presence not yet written: deviceId → latest (a later report of the same device replaces an earlier). */
  #pending = new Map<string, { lastSeenAt: number; lastStatus?: unknown }>();
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  readonly #opts: DeviceHubOptions;
  #timer: NodeJS.Timeout | undefined;
  #listener: ConnectionListener | undefined;
  #meter: HubMeter | undefined;
  /** One listener for every socket's pongs (`this` is the socket): no closure per connection. */
  readonly #onPong: (this: WebSocket) => void;

  constructor(opts: DeviceHubOptions) {
    this.#opts = opts;
    const hub = this;
    this.#onPong = function onPong(this: WebSocket) {
      const c = hub.#bySocket.get(this);
      if (!c) return;
      c.alive = true;
      hub.#seen.set(c.deviceId, hub.#opts.now());
      if (c.pingAt !== 0) {
        hub.#meter?.pong((performance.now() - c.pingAt) / 1000);
        c.pingAt = 0;
      }
    };
  }

  get heartbeatSec(): number {
    return this.#opts.heartbeatSec;
  }

  get size(): number {
    return this.#connections.size;
  }

  onConnection(listener: ConnectionListener | undefined): void {
    this.#listener = listener;
  }

  meter(meter: HubMeter | undefined): void {
    this.#meter = meter;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#heartbeat(), this.#opts.heartbeatSec * 1000);
    this.#timer.unref();
  }

  /** Stops heartbeats and closes every channel with "server restart" so devices reconnect with backoff. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    void this.flushPresence();
    const all = [...this.#connections.values()];
    this.#connections.clear();
    this.#bySocket.clear();
    this.#byNode.clear();
    for (const c of all) c.socket.close(CloseCode.SERVER_RESTART, 'server restarting');
  }

  /**
   * Adds an authenticated channel; a newer connection of the same device replaces the older one. With a
   * placement the device is indexed by node for `connectedTargets`; without one it is reachable by id only.
   */
  register(
    deviceId: string,
    socket: WebSocket,
    placement?: DevicePlacement,
    runtime?: DeviceRuntime,
  ): string {
    const previous = this.#connections.get(deviceId);
    if (previous) {
      this.#remove(previous);
      if (previous.socket !== socket)
        previous.socket.close(CloseCode.REPLACED, 'replaced by a newer connection');
      const info: ConnectionInfo = {
        sessionId: previous.sessionId,
        reason: 'replaced',
        code: CloseCode.REPLACED,
      };
      this.#listener?.(deviceId, false, info);
    }
    const sessionId = `chs_${randomBytes(12).toString('base64url')}`;
    const conn: Connection = {
      deviceId,
      socket,
      sessionId,
      placement: this.#intern(placement),
      alive: true,
      pingAt: 0,
    };
    this.#connections.set(deviceId, conn);
    this.#bySocket.set(socket, conn);
    for (const nodeId of placement?.ancestry ?? []) {
      let set = this.#byNode.get(nodeId);
      if (!set) {
        set = new Set();
        this.#byNode.set(nodeId, set);
      }
      set.add(conn);
    }
    socket.on('pong', this.#onPong);
    this.#markSeen(deviceId);
    this.#listener?.(deviceId, true, runtime ? { sessionId, runtime } : { sessionId });
    return sessionId;
  }

  /**
   * Removes the channel if it is still the device's current one (a replaced socket closes later). `code`:
   * the WebSocket close code the socket closed with.
   */
  unregister(deviceId: string, socket: WebSocket, code?: number): void {
    const current = this.#connections.get(deviceId);
    if (current?.socket === socket) {
      this.#remove(current);
      this.#markSeen(deviceId);
      const info: ConnectionInfo = { sessionId: current.sessionId, reason: 'device' };
      if (code !== undefined) info.code = code;
      this.#listener?.(deviceId, false, info);
    }
  }

  /** The device an authenticated socket belongs to, if it is still the current one. */
  deviceOf(socket: WebSocket): string | undefined {
    return this.#bySocket.get(socket)?.deviceId;
  }

  /** A status report from a device: proof of life, kept for the admin's device list. */
  recordStatus(deviceId: string, status: unknown): void {
    this.#markSeen(deviceId, status);
  }

  connectedTargets(targets: readonly NoticeTargets[]): string[] {
    const out = new Set<string>();
    for (const t of targets) {
      for (const nodeId of t.nodeIds) {
        for (const c of this.#byNode.get(nodeId) ?? NO_PLACEMENT) {
          if (out.has(c.deviceId)) continue;
          const p = c.placement!;
          if (t.roles && !t.roles.includes(p.role)) continue;
          if (t.tags && !t.tags.some((tag) => p.tags.includes(tag))) continue;
          out.add(c.deviceId);
        }
      }
    }
    return [...out];
  }

  notify(deviceIds: Iterable<string>, message: ServerMessage): number {
    const payload = Buffer.from(JSON.stringify(message));
    const frame = textFrame(payload);
    let sent = 0;
    for (const id of deviceIds) {
      const c = this.#connections.get(id);
      if (c && c.socket.readyState === OPEN) {
        writeFrame(c.socket, frame, payload);
        sent++;
      }
    }
    if (sent > 0) this.#meter?.sent(message.type, sent);
    return sent;
  }

  isOnline(deviceId: string): boolean {
    return this.#connections.get(deviceId)?.socket.readyState === OPEN;
  }

  lastSeen(deviceId: string): number | undefined {
    return this.#seen.get(deviceId);
  }

  disconnect(deviceId: string, code: number, reason: string): void {
    const c = this.#connections.get(deviceId);
    if (!c) return;
    this.#remove(c);
    c.socket.close(code, reason);
    this.#listener?.(deviceId, false, { sessionId: c.sessionId, reason: 'server', code });
  }

  #intern(p: DevicePlacement | undefined): DevicePlacement | undefined {
    if (!p) return undefined;
    const key = p.ancestry.join('/');
    let ancestry = this.#ancestries.get(key);
    if (!ancestry) {
      ancestry = Object.freeze([...p.ancestry]);
      this.#ancestries.set(key, ancestry);
    }
    return { ancestry, role: p.role, tags: p.tags.length === 0 ? NO_TAGS : p.tags };
  }

  #remove(c: Connection): void {
    if (this.#connections.get(c.deviceId) === c) this.#connections.delete(c.deviceId);
    this.#bySocket.delete(c.socket);
    c.socket.off('pong', this.#onPong);
    for (const nodeId of c.placement?.ancestry ?? []) {
      const set = this.#byNode.get(nodeId);
      if (!set) continue;
      set.delete(c);
      if (set.size === 0) this.#byNode.delete(nodeId);
    }
  }

  #heartbeat(): void {
    for (const c of [...this.#connections.values()]) {
      if (!c.alive) {
        // No pong since the last ping: the link is dead even if TCP has not noticed yet.
        this.#remove(c);
        c.socket.terminate();
        this.#markSeen(c.deviceId);
        this.#listener?.(c.deviceId, false, { sessionId: c.sessionId, reason: 'heartbeat' });
        continue;
      }
      c.alive = false;
      c.pingAt = performance.now();
      c.socket.ping();
    }
  }

  /**
   * Memory always; storage too, so the admin sees lastSeenAt after a restart. Pongs stay in memory only.
   * Storage writes are batched: one transaction per PRESENCE_FLUSH_MS instead of one fsync per device.
   */
  #markSeen(deviceId: string, status?: unknown): void {
    const at = this.#opts.now();
    this.#seen.set(deviceId, at);
    const prev = this.#pending.get(deviceId);
    const lastStatus = status ?? prev?.lastStatus;
    this.#pending.set(
      deviceId,
      lastStatus === undefined ? { lastSeenAt: at } : { lastSeenAt: at, lastStatus },
    );
    if (!this.#flushTimer) {
      this.#flushTimer = setTimeout(() => void this.flushPresence(), PRESENCE_FLUSH_MS);
      this.#flushTimer.unref();
    }
  }

  /** Writes gathered presence now (also on stop); resolves when it is stored. */
  flushPresence(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const batch = [...this.#pending].map(([id, p]) => ({ id, ...p }));
    this.#pending = new Map();
    if (batch.length === 0) return this.#flushing;
    const devices = this.#opts.repo.devices;
    this.#flushing = this.#flushing
      .then(async () => {
        if (devices.touchMany) await devices.touchMany(batch);
        else for (const e of batch) await devices.touch(e.id, e.lastSeenAt, e.lastStatus);
      })
      .catch((err: unknown) => {
        this.#opts.log.warn({ err, devices: batch.length }, 'could not record device presence');
      });
    return this.#flushing;
  }
}
