import type { PaymentRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import type { Logger } from '../context.js';
import { releaseAuthorization } from './payment-pipeline.js';
import type { PaymentRefunds } from './payment-refunds.js';
import type { PaymentService } from './payment-service.js';
import { AWAITING_PAYER, IN_FLIGHT } from './payment-state-machine.js';
import type { WalletWebhooks } from './wallet-webhooks.js';

export interface RecoveryDeps {
  repo: Repository;
  payments: PaymentService;
  refunds: PaymentRefunds;
  webhooks: WalletWebhooks;
  now: () => number;
  log: Logger;
  intervalMs: number;
}

export interface SweepReport {
  resumed: number;
  queried: number;
  voids: number;
  refunds: number;
  events: number;
}

/** A payment untouched this long is considered abandoned by whoever was driving it. */
const QUIET_MS = 3_000;
const BATCH = 50;

/**
 * The control plane's own recovery, at start-up and then periodically: resumes payments stuck between
 * authorization and receipt (the kiosk may never come back), asks the wallet about QR payments waiting for a
 * payer or in `unknown`, repeats the release of voided authorizations, completes pending refunds and
 * processes stored webhook events. Everything it calls is idempotent. Terminal payments waiting at a kiosk
 * (presented, unknown) are left to that kiosk: only it can ask its terminal.
 */
export class PaymentRecovery {
  readonly #d: RecoveryDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepReport> | undefined;
  readonly #voidConfirmed = new Set<string>();

  constructor(deps: RecoveryDeps) {
    this.#d = deps;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), this.#d.intervalMs);
    this.#timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  sweep(): Promise<SweepReport> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(): Promise<SweepReport> {
    const { repo, now } = this.#d;
    const report: SweepReport = { resumed: 0, queried: 0, voids: 0, refunds: 0, events: 0 };
    const quietBefore = now() - QUIET_MS;
    for (const p of await repo.payments.listInStates(IN_FLIGHT, quietBefore, BATCH)) {
      if (await this.#try(p, () => this.#d.payments.resync(p.id))) report.resumed++;
    }
    const waiting = await repo.payments.listInStates(AWAITING_PAYER, quietBefore, BATCH * 4);
    for (const p of waiting.filter((x) => x.method === 'qr').slice(0, BATCH)) {
      if (await this.#try(p, () => this.#d.payments.resync(p.id))) report.queried++;
    }
    const voided = await repo.payments.listInStates(['voided'], now(), BATCH * 4, now() - 86_400_000);
    for (const p of voided) {
      if (this.#voidConfirmed.has(p.id) || !p.cardToken) continue;
      if (await releaseAuthorization(this.#d.payments.pipelineDeps(), p)) {
        this.#voidConfirmed.add(p.id);
        report.voids++;
      }
    }
    for (const r of await repo.refunds.listPending(BATCH)) {
      try {
        if (await this.#d.refunds.complete(r.id)) report.refunds++;
      } catch (err) {
        this.#d.log.warn(
          { refundId: r.id, err: (err as Error).message },
          'recovery: refund not completed yet',
        );
      }
    }
    report.events = await this.#d.webhooks.processPending(BATCH);
    if (report.resumed + report.queried + report.refunds > 0)
      this.#d.log.info(report, 'payment recovery sweep');
    return report;
  }

  async #try(p: PaymentRecord, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      this.#d.log.warn(
        { paymentId: p.id, state: p.state, err: (err as Error).message },
        'recovery: will retry',
      );
      return false;
    }
  }
}
