import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../../crypto/secrets.js';
import type { DeliveryClaim, WebhookRepository } from '../../storage/webhook-repository.js';
import type { Logger } from '../context.js';
import { retryDelayMs } from './backoff.js';
import { type AttemptResult, sendWebhook } from './webhook-sender.js';

export interface DispatcherTiming {
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollMs: number;
  concurrency: number;
  retentionDays: number;
}

export interface WebhookDispatcherOptions {
  store: WebhookRepository;
  box: SecretBox;
  timing: DispatcherTiming;
  now: () => number;
  log: Logger;
  /** Who holds a lease (tests name them); random per process otherwise. */
  owner?: string;
  send?: (i: Parameters<typeof sendWebhook>[0]) => Promise<AttemptResult>;
  random?: () => number;
}

const PRUNE_EVERY_MS = 3_600_000;

/**
 * Sends the outbox. Every instance runs one; the store's lease decides which sends each attempt, so two
 * instances never send the same attempt at once, and whatever a stopped or crashed instance had leased is
 * taken up by any instance once its lease ends. Delivery is at least once: a crash after the receiver
 * answered but before the outcome is stored sends that attempt again (receivers deduplicate on
 * `Linli-Webhook-Id`).
 */
export class WebhookDispatcher {
  readonly owner: string;
  readonly #o: WebhookDispatcherOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  #lastPrune = 0;

  constructor(o: WebhookDispatcherOptions) {
    this.#o = o;
    this.owner = o.owner ?? `whd-${randomBytes(6).toString('hex')}`;
  }

  /** The lease outlives the slowest attempt, so it never runs out while the attempt is still under way. */
  get leaseMs(): number {
    return this.#o.timing.timeoutMs * 2 + 5000;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#timer = setInterval(() => this.kick(), this.#o.timing.pollMs);
    this.#timer.unref();
    this.kick();
  }

  /** Stops polling and waits for the attempts under way to be recorded. */
  async stop(): Promise<void> {
    this.#started = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Looks for due deliveries now (after a publish here); a pass already running goes round once more. */
  kick(): void {
    if (!this.#started) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  /** Settles when no pass is running (tests). */
  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        while (this.#started && (await this.runOnce()) === this.#o.timing.concurrency) {
          // A full batch: there may be more due.
        }
        await this.#maybePrune();
      } catch (err) {
        this.#o.log.warn({ err }, 'webhook dispatch pass failed; retrying at the next poll');
      }
    } while (this.#again && this.#started);
  }

  /** One batch: claims up to `concurrency` due deliveries, sends them in parallel, records each outcome. */
  async runOnce(): Promise<number> {
    const { store, timing, now } = this.#o;
    const claims = await store.claimDue(this.owner, now(), this.leaseMs, timing.concurrency);
    await Promise.all(claims.map((c) => this.#attempt(c)));
    return claims.length;
  }

  async #attempt(c: DeliveryClaim): Promise<void> {
    const { store, box, timing, now, log } = this.#o;
    const d = c.delivery;
    let result: AttemptResult;
    try {
      const secret = box.open(c.secretSealed, d.endpointId);
      result = await (this.#o.send ?? sendWebhook)({
        url: c.url,
        deliveryId: d.id,
        secret,
        body: d.body,
        unixSeconds: Math.floor(now() / 1000),
        timeoutMs: timing.timeoutMs,
      });
    } catch (err) {
      // The secret does not open: this instance's keys/ differ from the one that sealed it.
      log.error({ err, endpoint: d.endpointId }, 'webhook secret cannot be opened with this instance keys/');
      result = {
        kind: 'retry',
        status: null,
        error: "the endpoint's secret cannot be decrypted here: give every instance the same keys/root.pem",
      };
    }
    const at = now();
    if (result.kind === 'delivered') {
      await store.complete(d.id, this.owner, {
        state: 'delivered',
        nextAttemptAt: at,
        lastStatus: result.status,
        lastError: null,
        at,
      });
      return;
    }
    if (result.kind === 'gone') {
      await store.complete(d.id, this.owner, {
        state: 'failed',
        nextAttemptAt: at,
        lastStatus: result.status,
        lastError: 'HTTP 410 Gone: the endpoint was switched off',
        at,
      });
      await store.updateEndpoint(
        d.endpointId,
        { enabled: false, disabledReason: `the receiver answered 410 Gone at ${new Date(at).toISOString()}` },
        at,
      );
      log.warn({ endpoint: d.endpointId }, 'webhook endpoint answered 410 Gone; switched it off');
      return;
    }
    const last = d.attempts >= timing.maxAttempts;
    await store.complete(d.id, this.owner, {
      state: last ? 'failed' : 'pending',
      nextAttemptAt: last ? at : at + retryDelayMs(d.attempts, timing, this.#o.random),
      lastStatus: result.status,
      lastError: last ? `${result.error} (gave up after ${d.attempts} attempts)` : result.error,
      at,
    });
    if (last) log.warn({ endpoint: d.endpointId, delivery: d.id }, 'webhook delivery failed for good');
  }

  async #maybePrune(): Promise<void> {
    const at = this.#o.now();
    if (at - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = at;
    await this.#o.store.prune(at - this.#o.timing.retentionDays * 86_400_000);
  }
}
