import { CloseCode, type ServerMessage } from '../../../protocol/schemas/channel.js';
import type { NoticeTargets } from '../../../protocol/schemas/notice.js';
import type { ConnectionInfo, ConnectionListener, DeviceNotifier } from '../hub/device-hub.js';
import type { Logger } from '../services/context.js';
import type { ClusterRepository, PresenceChange } from '../storage/cluster-repository.js';
import type { SessionChange } from '../storage/device-sessions-repository.js';
import { BusChannel, type ClusterBus } from './cluster-bus.js';
import type { Mailbox } from './mailbox.js';
import { type PresenceMap, parsePresence, presencePayloads } from './presence-map.js';

/** What the notifier needs of the local hub (DeviceHub), so tests can count what it sent. */
export interface LocalHub extends DeviceNotifier {
  onConnection(listener: ConnectionListener | undefined): void;
}

/** A channel here older than this is closed when the device shows up on another instance (it moved). */
export const MOVE_GRACE_MS = 2000;
/** Presence changes are gathered this long and written in one transaction (a reconnect wave, one commit). */
export const PRESENCE_BATCH_MS = 50;
const PRESENCE_RETRY_MS = 1000;
/**
 * Session changes held while the store refuses writes; beyond this the oldest go (with a warning): the online
 * history may get a gap, presence itself is never dropped.
 */
export const MAX_PENDING_SESSIONS = 50_000;

const MAIL_DELIVER = 'deliver';
const MAIL_DISCONNECT = 'disconnect';

interface DeliverMail {
  ids: string[];
  message: ServerMessage;
}

export interface ClusterNotifierOptions {
  self: string;
  hub: LocalHub;
  presence: PresenceMap;
  mailbox: Mailbox;
  store: ClusterRepository;
  bus: ClusterBus;
  now: () => number;
  log: Logger;
}

/**
 * The DeviceNotifier services use when several instances share the store. A device connected here gets the
 * message straight from the local hub; for devices held by other instances the message goes once per
 * instance into the store's mailbox and only its seq over the bus. Each local connect and close is written to
 * the store (presence) and announced on the bus, one device's writes in order.
 */
export class ClusterNotifier implements DeviceNotifier {
  readonly #o: ClusterNotifierOptions;
  /** Devices connected here, since when, and their channel's session id. */
  readonly #local = new Map<string, { since: number; sessionId: string | undefined }>();
  /** Changes not yet written, latest per device; batches are written one after another, so in order. */
  readonly #pending = new Map<string, PresenceChange>();
  /** Online history not yet written: every session's open and close (not only the latest), in order. */
  #sessions = new Map<string, SessionChange>();
  /** Devices that opened a session since the retention job last asked (it trims only those). */
  #opened = new Set<string>();
  #sessionsDropped = false;
  #batchTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #running = false;

  constructor(o: ClusterNotifierOptions) {
    this.#o = o;
    o.mailbox.on(MAIL_DELIVER, (body) => this.#onDeliver(body));
    o.mailbox.on(MAIL_DISCONNECT, (body) => this.#onDisconnect(body));
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#o.hub.onConnection((id, connected, info) => this.#localChanged(id, connected, info));
    await this.#o.bus.subscribe(BusChannel.presence, (p) => this.#onPresence(p));
  }

  /** Stops recording; the instance's presence rows go with its lease (InstanceLease.release). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#o.hub.onConnection(undefined);
    await this.settled();
  }

  /** Writes presence again for every local device (after the lease had been lost and re-created). */
  async rewritePresence(): Promise<void> {
    const all = [...this.#local].map(([deviceId, l]) => ({ deviceId, connected: true, since: l.since }));
    // The reaper closed their sessions ("instance-lost"), but the channels never closed: open them again.
    const sessions: SessionChange[] = [];
    for (const [deviceId, l] of this.#local)
      if (l.sessionId) sessions.push({ sessionId: l.sessionId, deviceId, open: { at: l.since } });
    await this.#o.store.applyPresence(this.#o.self, all, sessions);
  }

  /** The devices that opened a session since the last call (for the per-device retention bound). */
  takeOpened(): string[] {
    const ids = [...this.#opened];
    this.#opened = new Set();
    return ids;
  }

  /** Writes what is pending now and waits for it (tests, and stop). */
  settled(): Promise<void> {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    return this.#flush();
  }

  notify(deviceIds: Iterable<string>, message: ServerMessage): number {
    const { hub, presence, mailbox, log } = this.#o;
    // One instance (or no remote device): the local hub's own fast path, untouched.
    if (presence.remoteCount === 0) return hub.notify(deviceIds, message);
    const local: string[] = [];
    const remote = new Map<string, string[]>();
    for (const id of deviceIds) {
      if (hub.isOnline(id)) {
        local.push(id);
        continue;
      }
      const at = presence.holder(id);
      if (at === undefined) continue;
      const ids = remote.get(at);
      if (ids) ids.push(id);
      else remote.set(at, [id]);
    }
    let sent = local.length > 0 ? hub.notify(local, message) : 0;
    for (const [instanceId, ids] of remote) {
      const mail: DeliverMail = { ids, message };
      mailbox.send(instanceId, MAIL_DELIVER, mail).catch((err: unknown) => {
        // Like a lost push on one instance: the devices' next poll catches up.
        log.warn({ err, instanceId, devices: ids.length }, 'could not hand a message to another instance');
      });
      sent += ids.length;
    }
    return sent;
  }

  /**
   * The local hub's in-memory target index, while no device is connected elsewhere: then it is the whole
   * truth and the fan-out reads no storage before sending. With devices on other instances this is absent,
   * so callers resolve the targets from storage and `notify` routes each one to its instance.
   */
  get connectedTargets(): ((targets: readonly NoticeTargets[]) => string[]) | undefined {
    const { hub, presence } = this.#o;
    if (presence.remoteCount > 0 || !hub.connectedTargets) return undefined;
    return (targets) => hub.connectedTargets?.(targets) ?? [];
  }

  isOnline(deviceId: string): boolean {
    return this.#o.hub.isOnline(deviceId) || this.#o.presence.holder(deviceId) !== undefined;
  }

  lastSeen(deviceId: string): number | undefined {
    return this.#o.hub.lastSeen(deviceId);
  }

  disconnect(deviceId: string, code: number, reason: string): void {
    this.#o.hub.disconnect(deviceId, code, reason);
    const at = this.#o.presence.holder(deviceId);
    if (at === undefined) return;
    this.#o.mailbox.send(at, MAIL_DISCONNECT, { id: deviceId, code, reason }).catch((err: unknown) => {
      this.#o.log.warn({ err, deviceId }, 'could not ask another instance to close a channel');
    });
  }

  #localChanged(deviceId: string, connected: boolean, info?: ConnectionInfo): void {
    if (!this.#running) return;
    const { self, presence, now } = this.#o;
    const since = now();
    if (connected) {
      this.#local.set(deviceId, { since, sessionId: info?.sessionId });
      presence.connected(deviceId, self);
    } else if (info?.sessionId === undefined || this.#local.get(deviceId)?.sessionId === info.sessionId) {
      this.#local.delete(deviceId);
    }
    if (info) this.#recordSession(deviceId, connected, since, info);
    this.#pending.delete(deviceId);
    this.#pending.set(deviceId, { deviceId, connected, since });
    this.#schedule(PRESENCE_BATCH_MS);
  }

  #recordSession(deviceId: string, connected: boolean, at: number, info: ConnectionInfo): void {
    const c = this.#sessions.get(info.sessionId) ?? { sessionId: info.sessionId, deviceId };
    if (connected) {
      c.open = info.runtime ? { at, runtime: info.runtime } : { at };
      this.#opened.add(deviceId);
    } else {
      c.close = {
        at,
        reason: info.reason ?? 'device',
        ...(info.code !== undefined ? { code: info.code } : {}),
      };
    }
    this.#sessions.set(info.sessionId, c);
    if (this.#sessions.size > MAX_PENDING_SESSIONS) {
      this.#sessions.delete(this.#sessions.keys().next().value!);
      if (!this.#sessionsDropped) {
        this.#sessionsDropped = true;
        this.#o.log.warn(
          { kept: MAX_PENDING_SESSIONS },
          'the store has refused presence writes for long; dropping the oldest online history',
        );
      }
    }
  }

  /** Puts a failed batch's sessions back in front of the newer ones, merging a session in both. */
  #restoreSessions(batch: readonly SessionChange[]): void {
    const newer = this.#sessions;
    this.#sessions = new Map(batch.map((c) => [c.sessionId, c] as const));
    for (const [id, c] of newer) {
      const old = this.#sessions.get(id);
      if (!old) this.#sessions.set(id, c);
      else {
        if (c.open) old.open = c.open;
        if (c.close) old.close = c.close;
      }
    }
  }

  #schedule(ms: number): void {
    this.#batchTimer ??= setTimeout(() => {
      this.#batchTimer = undefined;
      void this.#flush();
    }, ms);
  }

  #flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#pending.size === 0 && this.#sessions.size === 0) return;
      const { self, store, bus, log } = this.#o;
      const batch = [...this.#pending.values()];
      this.#pending.clear();
      const sessions = [...this.#sessions.values()];
      this.#sessions = new Map();
      let done: PresenceChange[];
      try {
        done = await store.applyPresence(self, batch, sessions);
        this.#sessionsDropped = false;
      } catch (err) {
        // Put back what no newer change replaced, and try again: presence must not stay wrong.
        for (const c of batch) if (!this.#pending.has(c.deviceId)) this.#pending.set(c.deviceId, c);
        this.#restoreSessions(sessions);
        log.warn({ err, devices: batch.length }, 'could not record device presence in the cluster; retrying');
        if (this.#running) this.#schedule(PRESENCE_RETRY_MS);
        return;
      }
      try {
        for (const payload of presencePayloads(self, done)) await bus.publish(BusChannel.presence, payload);
      } catch (err) {
        // Stored already: the other instances read it on their next lease tick.
        log.warn({ err }, 'could not announce device presence; the others catch up from the store');
      }
    });
    return this.#flushing;
  }

  #onPresence(payload: string): void {
    for (const ev of parsePresence(payload)) {
      if (ev.instanceId === this.#o.self) continue;
      if (!ev.connected) {
        this.#o.presence.closed(ev.deviceId, ev.instanceId);
        continue;
      }
      this.#o.presence.connected(ev.deviceId, ev.instanceId);
      // The device is on another instance now; a channel still open here is a half-dead leftover.
      const since = this.#local.get(ev.deviceId)?.since;
      if (since !== undefined && since < this.#o.now() - MOVE_GRACE_MS) {
        this.#o.hub.disconnect(
          ev.deviceId,
          CloseCode.REPLACED,
          'connected to another control-plane instance',
        );
      }
    }
  }

  #onDeliver(body: unknown): void {
    const b = body as Partial<DeliverMail> | null;
    if (!b || !Array.isArray(b.ids) || typeof b.message !== 'object' || b.message === null) return;
    this.#o.hub.notify(
      b.ids.filter((id): id is string => typeof id === 'string'),
      b.message,
    );
  }

  #onDisconnect(body: unknown): void {
    const b = body as { id?: unknown; code?: unknown; reason?: unknown } | null;
    if (typeof b?.id !== 'string' || typeof b.code !== 'number' || typeof b.reason !== 'string') return;
    this.#o.hub.disconnect(b.id, b.code, b.reason);
  }
}
