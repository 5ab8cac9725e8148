import type { Logger } from '../services/context.js';
import type { ClusterRepository } from '../storage/cluster-repository.js';
import type { DeviceSessionRepository } from '../storage/device-sessions-repository.js';
import { ClusterAnswerRelay } from './answer-relay.js';
import { BusChannel, type ClusterBus } from './cluster-bus.js';
import { ClusterNotifier, type LocalHub } from './cluster-notifier.js';
import { InstanceLease, type LeaseTiming } from './instance-lease.js';
import { MAIL_MAX_AGE_MS, Mailbox } from './mailbox.js';
import { PresenceMap } from './presence-map.js';
import { SessionRetention } from './session-retention.js';

export interface ClusterNodeOptions {
  store: ClusterRepository;
  bus: ClusterBus;
  hub: LocalHub;
  now: () => number;
  log: Logger;
  timing: LeaseTiming;
  /** Fixed in tests; random otherwise (a restarted process is a new instance). */
  instanceId?: string;
  /** The online history, pruned on the lease tick (session-retention.ts); written with presence. */
  sessions?: DeviceSessionRepository;
}

/**
 * This control-plane process as one member of a cluster sharing a store: its lease, the presence of every
 * device (here and elsewhere), the mailbox between instances, the cluster-aware notifier and the answer
 * relay. With one instance on SQLite it runs the same code on the in-process bus.
 */
export class ClusterNode {
  readonly lease: InstanceLease;
  readonly presence: PresenceMap;
  readonly mailbox: Mailbox;
  readonly notifier: ClusterNotifier;
  readonly answers: ClusterAnswerRelay;
  readonly bus: ClusterBus;
  readonly retention: SessionRetention | undefined;
  readonly #o: ClusterNodeOptions;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #running = false;

  constructor(o: ClusterNodeOptions) {
    this.#o = o;
    this.bus = o.bus;
    this.lease = new InstanceLease(o.store, o.now, o.timing, o.instanceId);
    const self = this.lease.id;
    this.presence = new PresenceMap(self);
    this.mailbox = new Mailbox({ self, store: o.store, bus: o.bus, now: o.now, log: o.log });
    this.notifier = new ClusterNotifier({
      self,
      hub: o.hub,
      presence: this.presence,
      mailbox: this.mailbox,
      store: o.store,
      bus: o.bus,
      now: o.now,
      log: o.log,
    });
    this.answers = new ClusterAnswerRelay({ self, store: o.store, mailbox: this.mailbox, now: o.now });
    this.retention =
      o.sessions &&
      new SessionRetention({
        store: o.sessions,
        now: o.now,
        log: o.log,
        opened: () => this.notifier.takeOpened(),
      });
  }

  get id(): string {
    return this.lease.id;
  }

  /** Lease first (so presence rows count), then the bus, then the store's view of presence and mail. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.lease.renew();
    await this.bus.start();
    await this.notifier.start();
    await this.mailbox.start();
    this.bus.onResync(() => {
      this.reloadPresence().catch((err: unknown) => this.#o.log.warn({ err }, 'presence reload failed'));
    });
    await this.reloadPresence();
    this.#timer = setInterval(() => void this.tick(), this.#o.timing.intervalMs);
    this.#timer.unref();
  }

  /** Gives the lease back: this instance's devices are offline for everyone at once, not after a timeout. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
    await this.notifier.stop();
    await this.lease.release().catch((err: unknown) => {
      this.#o.log.warn({ err }, 'could not release the instance lease; it expires on its own');
    });
    await this.bus.stop();
  }

  /** One heartbeat: renew, reap the dead, re-read presence, prune old mail. Never two at once. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  /** Subscribe point for caches of the node tree (hierarchy): called when any instance changed nodes. */
  onNodesChanged(handler: (nodeId: string) => void): Promise<() => void> {
    return this.bus.subscribe(BusChannel.nodesChanged, handler);
  }

  async nodesChanged(nodeId = ''): Promise<void> {
    await this.bus.publish(BusChannel.nodesChanged, nodeId);
  }

  async reloadPresence(): Promise<void> {
    this.presence.reload(await this.#o.store.listPresence(this.lease.cutoff()));
  }

  async #tick(): Promise<void> {
    try {
      const { held, reaped } = await this.lease.renew();
      if (!held) {
        this.#o.log.warn({ instance: this.id }, 'instance lease had lapsed; writing presence again');
        await this.notifier.rewritePresence();
      }
      for (const id of reaped) this.presence.dropInstance(id);
      await this.reloadPresence();
      await this.#o.store.pruneMail(this.#o.now() - MAIL_MAX_AGE_MS);
      await this.retention?.maybePrune();
    } catch (err) {
      this.#o.log.warn({ err }, 'cluster heartbeat failed');
    }
  }
}
