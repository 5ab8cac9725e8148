import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { CloseCode, type ServerMessage } from '../../../protocol/schemas/channel.js';
import type { Logger } from '../services/context.js';
import type { Repository } from '../storage/repository.js';

/** What services need from the hub; they never see a socket. */
export interface DeviceNotifier {
  /** Sends one message to every listed device that is connected; returns how many were sent to. */
  notify(deviceIds: Iterable<string>, message: ServerMessage): number;
  isOnline(deviceId: string): boolean;
  /** Last time the device was heard from (connect, status, pong), if this process has heard it. */
  lastSeen(deviceId: string): number | undefined;
  disconnect(deviceId: string, code: number, reason: string): void;
}

/** Told when a device's channel on this hub opens or closes (the cluster records presence in the store). */
export type ConnectionListener = (deviceId: string, connected: boolean) => void;

interface Connection {
  socket: WebSocket;
  sessionId: string;
  alive: boolean;
}

export interface DeviceHubOptions {
  repo: Repository;
  now: () => number;
  heartbeatSec: number;
  log: Logger;
}

const OPEN = 1;

/**
 * deviceId → socket for every authenticated channel, presence and heartbeats. One timer pings every socket
 * (not one timer per socket) and a message for many devices is serialised once, because a city fans a
 * notice out to thousands of screens.
 */
export class DeviceHub implements DeviceNotifier {
  readonly #connections = new Map<string, Connection>();
  readonly #seen = new Map<string, number>();
  readonly #opts: DeviceHubOptions;
  #timer: NodeJS.Timeout | undefined;
  #listener: ConnectionListener | undefined;

  constructor(opts: DeviceHubOptions) {
    this.#opts = opts;
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

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#heartbeat(), this.#opts.heartbeatSec * 1000);
    this.#timer.unref();
  }

  /** Stops heartbeats and closes every channel with "server restart" so devices reconnect with backoff. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const [, c] of this.#connections) c.socket.close(CloseCode.SERVER_RESTART, 'server restarting');
    this.#connections.clear();
  }

  /** Adds an authenticated channel; a newer connection of the same device replaces the older one. */
  register(deviceId: string, socket: WebSocket): string {
    const previous = this.#connections.get(deviceId);
    if (previous && previous.socket !== socket) {
      previous.socket.close(CloseCode.REPLACED, 'replaced by a newer connection');
    }
    const sessionId = `chs_${randomBytes(12).toString('base64url')}`;
    const conn: Connection = { socket, sessionId, alive: true };
    this.#connections.set(deviceId, conn);
    socket.on('pong', () => {
      conn.alive = true;
      this.#seen.set(deviceId, this.#opts.now());
    });
    this.#markSeen(deviceId);
    this.#listener?.(deviceId, true);
    return sessionId;
  }

  /** Removes the channel if it is still the device's current one (a replaced socket closes later). */
  unregister(deviceId: string, socket: WebSocket): void {
    const current = this.#connections.get(deviceId);
    if (current?.socket === socket) {
      this.#connections.delete(deviceId);
      this.#markSeen(deviceId);
      this.#listener?.(deviceId, false);
    }
  }

  /** A status report from a device: proof of life, kept for the admin's device list. */
  recordStatus(deviceId: string, status: unknown): void {
    this.#markSeen(deviceId, status);
  }

  notify(deviceIds: Iterable<string>, message: ServerMessage): number {
    const data = Buffer.from(JSON.stringify(message));
    let sent = 0;
    for (const id of deviceIds) {
      const c = this.#connections.get(id);
      if (c && c.socket.readyState === OPEN) {
        c.socket.send(data, { binary: false });
        sent++;
      }
    }
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
    this.#connections.delete(deviceId);
    c.socket.close(code, reason);
    this.#listener?.(deviceId, false);
  }

  #heartbeat(): void {
    for (const [id, c] of this.#connections) {
      if (!c.alive) {
        // No pong since the last ping: the link is dead even if TCP has not noticed yet.
        this.#connections.delete(id);
        c.socket.terminate();
        this.#markSeen(id);
        this.#listener?.(id, false);
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }

  /** Memory always; storage too, so the admin sees lastSeenAt after a restart. Pongs stay in memory only. */
  #markSeen(deviceId: string, status?: unknown): void {
    const at = this.#opts.now();
    this.#seen.set(deviceId, at);
    this.#opts.repo.devices.touch(deviceId, at, status).catch((err: unknown) => {
      this.#opts.log.warn({ err, deviceId }, 'could not record device presence');
    });
  }
}
