import type { WalletProvider } from '../../adapters/wallet/wallet-provider.js';
import type { Repository } from '../../storage/repository.js';
import type { Logger } from '../context.js';
import type { PaymentService } from './payment-service.js';

export interface WalletWebhookDeps {
  repo: Repository;
  wallet: WalletProvider;
  payments: PaymentService;
  now: () => number;
  log: Logger;
}

/**
 * Receives the wallet's asynchronous notifications. A notification is verified (signature, then freshness),
 * stored once by event id (duplicates are acknowledged and ignored), acknowledged at once, and processed
 * after the answer: processing is an order query plus the payment pipeline, so out-of-order or stale events
 * cannot move a payment backwards. Unprocessed events are picked up again by recovery.
 */
export class WalletWebhooks {
  readonly #d: WalletWebhookDeps;
  /** Counters for tests and the operator. */
  readonly stats = { accepted: 0, duplicates: 0, processed: 0, failed: 0 };

  constructor(deps: WalletWebhookDeps) {
    this.#d = deps;
  }

  async receive(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<{ duplicate: boolean; eventId: string }> {
    const now = this.#d.now();
    const n = this.#d.wallet.verifyNotification(headers, rawBody, now);
    const payment = await this.#d.repo.payments.get(n.outTradeNo);
    const fresh = await this.#d.repo.walletEvents.record({
      eventId: n.eventId,
      eventType: n.eventType,
      orderId: n.orderId,
      paymentId: payment?.id ?? null,
      createdAt: n.createdAt,
      receivedAt: now,
      processedAt: null,
    });
    if (!fresh) {
      this.stats.duplicates++;
      return { duplicate: true, eventId: n.eventId };
    }
    this.stats.accepted++;
    setImmediate(() => void this.process(n.eventId, payment?.id ?? null));
    return { duplicate: false, eventId: n.eventId };
  }

  async process(eventId: string, paymentId: string | null): Promise<void> {
    try {
      if (paymentId) await this.#d.payments.resync(paymentId);
      else this.#d.log.warn({ eventId }, 'wallet event for an order we do not know; recorded and ignored');
      await this.#d.repo.walletEvents.markProcessed(eventId, this.#d.now());
      this.stats.processed++;
    } catch (err) {
      this.stats.failed++;
      this.#d.log.warn({ eventId, paymentId, err: (err as Error).message }, 'wallet event not processed yet');
    }
  }

  /** Events stored but not processed (a crash, a biller outage): recovery calls this. */
  async processPending(limit = 50): Promise<number> {
    const pending = await this.#d.repo.walletEvents.listUnprocessed(limit);
    for (const e of pending) await this.process(e.eventId, e.paymentId);
    return pending.length;
  }
}
