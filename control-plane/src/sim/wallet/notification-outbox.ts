import { type KeyObject, randomBytes } from 'node:crypto';
import { newId } from '../../../../protocol/ids.js';
import { signNotification, WALLET_HEADERS } from '../../adapters/wallet/wallet-signature.js';
import type { FaultDice, SimFaults } from '../sim-faults.js';
import type { SimOutboxRecord, SimWalletOrder } from '../sim-records.js';
import type { SimStore } from '../sim-store.js';
import type { NotificationBody } from './notification-body.js';

export interface OutboxOptions {
  ledger: SimStore;
  now: () => number;
  key: KeyObject;
  serial: string;
  faults: () => SimFaults['wallet'];
  dice: FaultDice;
  log?: { warn(obj: object, msg?: string): void };
  intervalMs: number;
}

const MAX_IN_FLIGHT = 16;

/**
 * The provider's side of "at least once": events wait in a durable outbox until the merchant answers 2xx,
 * retried with backoff. Each delivery is signed at send time (fresh timestamp and nonce). Faults deliver
 * some events twice, lose some deliveries, and delay others so they overtake each other.
 */
export class NotificationOutbox {
  readonly #o: OutboxOptions;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();
  #ticking = false;
  #started = false;
  /** Deliveries attempted and answered 2xx, for tests. */
  readonly stats = { attempts: 0, delivered: 0 };

  constructor(opts: OutboxOptions) {
    this.#o = opts;
  }

  start(): void {
    if (this.#timer) return;
    this.#started = true;
    this.#timer = setInterval(() => void this.tick(), this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#started = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#inFlight]);
  }

  async enqueue(order: SimWalletOrder, eventType: string): Promise<void> {
    const at = this.#o.now();
    const body: NotificationBody = {
      id: newId('evt', at),
      create_time: new Date(at).toISOString(),
      event_type: eventType,
      resource: {
        order_id: order.orderId,
        out_trade_no: order.outTradeNo,
        transaction_id: order.transactionId,
        trade_state: order.status,
        amount: { total: order.amountFen, currency: 'CNY' },
      },
    };
    const delay = Math.floor(this.#o.dice.next() * this.#o.faults().maxDelayMs);
    await this.#o.ledger.wallet.enqueue({
      eventId: body.id,
      orderId: order.orderId,
      body: JSON.stringify(body),
      attempts: 0,
      nextAt: at + delay,
      deliveredAt: null,
    });
    // Deliver soon without waiting for the next tick, as a provider would.
    if (delay === 0 && this.#started) setImmediate(() => void this.tick());
  }

  /** Delivers what is due (also called by tests to drive delivery deterministically). */
  async tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const due = await this.#o.ledger.wallet.due(this.#o.now(), MAX_IN_FLIGHT);
      await Promise.all(due.map((row) => this.#track(this.#deliver(row))));
    } catch (err) {
      this.#o.log?.warn({ err: (err as Error).message }, 'sim wallet: outbox tick failed');
    } finally {
      this.#ticking = false;
    }
  }

  #track(p: Promise<void>): Promise<void> {
    this.#inFlight.add(p);
    return p.finally(() => this.#inFlight.delete(p));
  }

  async #deliver(row: SimOutboxRecord): Promise<void> {
    const { eventId, body, attempts } = row;
    const f = this.#o.faults();
    const now = this.#o.now();
    const retryAt = now + Math.min(30_000, 500 * 2 ** Math.min(attempts, 6));
    const url = (await this.#o.ledger.wallet.getOrder(row.orderId))?.notifyUrl;
    if (!url) return;
    this.stats.attempts++;
    if (this.#o.dice.roll(f.dropRate)) {
      await this.#o.ledger.wallet.markAttempt(eventId, retryAt, null);
      return;
    }
    let ok = false;
    try {
      const ts = String(Math.floor(now / 1000));
      const nonce = randomBytes(16).toString('hex');
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WALLET_HEADERS.timestamp]: ts,
          [WALLET_HEADERS.nonce]: nonce,
          [WALLET_HEADERS.serial]: this.#o.serial,
          [WALLET_HEADERS.signature]: signNotification(this.#o.key, ts, nonce, body),
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      ok = res.ok;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      ok = false;
    }
    if (!ok) {
      await this.#o.ledger.wallet.markAttempt(eventId, retryAt, null);
      return;
    }
    this.stats.delivered++;
    // A duplicate: the provider "did not hear" the 2xx and sends the same event again a little later.
    const again = this.#o.dice.roll(f.duplicateRate);
    const jitter = Math.floor(this.#o.dice.next() * Math.max(f.maxDelayMs, 50));
    await this.#o.ledger.wallet.markAttempt(eventId, now + jitter, again ? null : now);
  }
}
