import type { Logger } from '../services/context.js';
import type { ClusterRepository, MailRecord } from '../storage/cluster-repository.js';
import { BusChannel, type ClusterBus } from './cluster-bus.js';

export type MailHandler = (body: unknown, mail: MailRecord) => void;

/** Mail older than this is dropped unread: whatever it asked for has timed out or been caught up by polls. */
export const MAIL_MAX_AGE_MS = 120_000;

/**
 * Messages from one instance to another: the body goes in the store, only its seq over the bus. Each
 * message is taken (DELETE … RETURNING) exactly once, so a NOTIFY and a catch-up racing never deliver it
 * twice; after a reconnect (or at start) everything still waiting is taken.
 */
export class Mailbox {
  readonly #self: string;
  readonly #store: ClusterRepository;
  readonly #bus: ClusterBus;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #handlers = new Map<string, MailHandler>();

  constructor(o: {
    self: string;
    store: ClusterRepository;
    bus: ClusterBus;
    now: () => number;
    log: Logger;
  }) {
    this.#self = o.self;
    this.#store = o.store;
    this.#bus = o.bus;
    this.#now = o.now;
    this.#log = o.log;
  }

  on(kind: string, handler: MailHandler): void {
    this.#handlers.set(kind, handler);
  }

  async start(): Promise<void> {
    await this.#bus.subscribe(BusChannel.mail(this.#self), (payload) => {
      const seq = Number(payload);
      if (!Number.isSafeInteger(seq) || seq <= 0) return;
      this.#store.takeMail(this.#self, seq).then(
        (m) => m && this.#deliver(m),
        (err: unknown) => this.#log.warn({ err, seq }, 'could not read cluster mail'),
      );
    });
    this.#bus.onResync(() => {
      this.catchUp().catch((err: unknown) => this.#log.warn({ err }, 'cluster mail catch-up failed'));
    });
    await this.catchUp();
  }

  async send(instanceId: string, kind: string, body: unknown): Promise<void> {
    const seq = await this.#store.postMail(instanceId, kind, JSON.stringify(body), this.#now());
    await this.#bus.publish(BusChannel.mail(instanceId), String(seq));
  }

  async catchUp(): Promise<void> {
    for (const m of await this.#store.takeAllMail(this.#self)) this.#deliver(m);
  }

  #deliver(m: MailRecord): void {
    if (m.createdAt < this.#now() - MAIL_MAX_AGE_MS) return;
    const handler = this.#handlers.get(m.kind);
    if (!handler) {
      this.#log.warn({ kind: m.kind }, 'cluster mail of an unknown kind dropped');
      return;
    }
    try {
      handler(JSON.parse(m.body) as unknown, m);
    } catch (err) {
      this.#log.error({ err, kind: m.kind }, 'cluster mail handler failed');
    }
  }
}
