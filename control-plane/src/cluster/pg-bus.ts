import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../services/context.js';
import { type BusHandler, type ClusterBus, checkPayload } from './cluster-bus.js';

export interface PgBusOptions {
  /** The same server as the store (PgDatabase.url). */
  url: string;
  /** Publishes go through the store's pool: NOTIFY needs no dedicated connection, only LISTEN does. */
  publisher: { query(text: string, params?: readonly unknown[]): Promise<unknown> };
  /** Starts every channel name: one per schema, so clusters (or test runs) on one database never mix. */
  prefix: string;
  log: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** PostgreSQL identifiers are at most 63 bytes; a longer name is hashed (the same on every instance). */
export function pgChannelName(prefix: string, channel: string): string {
  const full = `${prefix}.${channel}`;
  if (Buffer.byteLength(full) <= 63) return full;
  const hash = createHash('sha256').update(full).digest('base64url').slice(0, 27);
  return `${prefix.slice(0, 30)}.${hash}`;
}

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

interface Sub {
  channel: string;
  handlers: Set<BusHandler>;
}

/**
 * LISTEN/NOTIFY. LISTEN lives on one dedicated `pg.Client` (a pooled connection would take it along to
 * whoever borrows it next). A `pg.Client` never reconnects: on `error` or `end` this bus opens a new one with
 * backoff, runs every LISTEN again, then calls the resync handlers, because NOTIFY is not queued for a
 * listener that was away.
 */
export class PgBus implements ClusterBus {
  readonly #o: PgBusOptions;
  readonly #subs = new Map<string, Sub>();
  readonly #resync = new Set<() => void>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #attempt = 0;
  #running = false;

  constructor(opts: PgBusOptions) {
    this.#o = opts;
  }

  /** True while the LISTEN connection is up (tests watch it come back). */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** The backend pid of the LISTEN connection, for tests that cut it. */
  async backendPid(): Promise<number | undefined> {
    const r = await this.#client?.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return r?.rows[0]?.pid;
  }

  async start(): Promise<void> {
    if (this.#running) return this.#connecting;
    this.#running = true;
    // The first connection must work: the store is on the same server, so a failure here is a config error.
    this.#connecting = this.#connect();
    try {
      await this.#connecting;
    } catch (err) {
      this.#running = false;
      throw err;
    } finally {
      this.#connecting = undefined;
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => {});
  }

  async publish(channel: string, payload: string): Promise<void> {
    checkPayload(payload);
    await this.#o.publisher.query('SELECT pg_notify($1, $2)', [
      pgChannelName(this.#o.prefix, channel),
      payload,
    ]);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<() => void> {
    const name = pgChannelName(this.#o.prefix, channel);
    let sub = this.#subs.get(name);
    const fresh = !sub;
    if (!sub) {
      sub = { channel, handlers: new Set() };
      this.#subs.set(name, sub);
    }
    sub.handlers.add(handler);
    if (fresh) {
      await this.#connecting;
      await this.#client?.query(`LISTEN ${ident(name)}`);
    }
    return () => {
      sub.handlers.delete(handler);
      if (sub.handlers.size > 0 || this.#subs.get(name) !== sub) return;
      this.#subs.delete(name);
      this.#client?.query(`UNLISTEN ${ident(name)}`).catch(() => {});
    };
  }

  onResync(handler: () => void): () => void {
    this.#resync.add(handler);
    return () => {
      this.#resync.delete(handler);
    };
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#o.url });
    client.on('notification', (n) => this.#dispatch(n.channel, n.payload ?? ''));
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      for (const name of this.#subs.keys()) await client.query(`LISTEN ${ident(name)}`);
    } catch (err) {
      client.removeAllListeners('end');
      client.on('error', () => {});
      await client.end().catch(() => {});
      throw err;
    }
    if (!this.#running) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
  }

  #lost(client: pg.Client, err?: unknown): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    if (!this.#running) return;
    this.#o.log.warn({ err }, 'cluster bus lost its LISTEN connection; reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const min = this.#o.minBackoffMs ?? 100;
    const max = this.#o.maxBackoffMs ?? 5000;
    const delay = Math.min(max, min * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    this.#attempt++;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect().then(
        () => {
          if (!this.#running) return;
          this.#attempt = 0;
          this.#o.log.info({}, 'cluster bus reconnected; catching up from the store');
          for (const h of [...this.#resync]) this.#safe(() => h());
        },
        (err: unknown) => {
          if (!this.#running) return;
          this.#o.log.warn({ err, attempt: this.#attempt }, 'cluster bus reconnect failed; retrying');
          this.#scheduleReconnect();
        },
      );
    }, delay);
    this.#retry.unref();
  }

  #dispatch(name: string, payload: string): void {
    const sub = this.#subs.get(name);
    if (!sub) return;
    for (const h of [...sub.handlers]) this.#safe(() => h(payload));
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#o.log.error({ err }, 'cluster bus handler threw');
    }
  }
}
