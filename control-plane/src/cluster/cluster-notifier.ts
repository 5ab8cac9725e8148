import { CloseCode, type ServerMessage } from '../../../protocol/schemas/channel.js';
import type { NoticeTargets } from '../../../protocol/schemas/notice.js';
import type { DeviceNotifier } from '../hub/device-hub.js';
import type { Logger } from '../services/context.js';
import type { ClusterRepository, PresenceChange } from '../storage/cluster-repository.js';
import { BusChannel, type ClusterBus } from './cluster-bus.js';
import type { Mailbox } from './mailbox.js';
import { type PresenceMap, parsePresence, presencePayloads } from './presence-map.js';

/** What the notifier needs of the local hub (DeviceHub), so tests can count what it sent. */
export interface LocalHub extends DeviceNotifier {
  onConnection(listener: ((deviceId: string, connected: boolean) => void) | undefined): void;
}

/** A channel here older than this is closed when the device shows up on another instance (it moved). */
export const MOVE_GRACE_MS = 2000;
/** Presence changes are gathered this long and written in one transaction (a reconnect wave, one commit). */
export const PRESENCE_BATCH_MS = 50;
const PRESENCE_RETRY_MS = 1000;

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
  /** Devices connected here and since when. */
  readonly #local = new Map<string, number>();
  /** Changes not yet written, latest per device; batches are written one after another, so in order. */
  readonly #pending = new Map<string, PresenceChange>();
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
    this.#o.hub.onConnection((id, connected) => this.#localChanged(id, connected));
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
    const all = [...this.#local].map(([deviceId, since]) => ({ deviceId, connected: true, since }));
    await this.#o.store.applyPresence(this.#o.self, all);
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

  #localChanged(deviceId: string, connected: boolean): void {
    if (!this.#running) return;
    const { self, presence, now } = this.#o;
    const since = now();
    if (connected) {
      this.#local.set(deviceId, since);
      presence.connected(deviceId, self);
    } else {
      this.#local.delete(deviceId);
    }
    this.#pending.delete(deviceId);
    this.#pending.set(deviceId, { deviceId, connected, since });
    this.#schedule(PRESENCE_BATCH_MS);
  }

  #schedule(ms: number): void {
    this.#batchTimer ??= setTimeout(() => {
      this.#batchTimer = undefined;
      void this.#flush();
    }, ms);
  }

  #flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#pending.size === 0) return;
      const { self, store, bus, log } = this.#o;
      const batch = [...this.#pending.values()];
      this.#pending.clear();
      let done: PresenceChange[];
      try {
        done = await store.applyPresence(self, batch);
      } catch (err) {
        // Put back what no newer change replaced, and try again: presence must not stay wrong.
        for (const c of batch) if (!this.#pending.has(c.deviceId)) this.#pending.set(c.deviceId, c);
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
      const since = this.#local.get(ev.deviceId);
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
