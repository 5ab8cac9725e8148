import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../protocol/canonical-json.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { RefundRequest, RefundResponse } from '../../../../protocol/schemas/payment-admin.js';
import type { RefundRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import type { AdminPrincipal, Logger } from '../context.js';
import { requirePermission } from '../permissions.js';
import { railOf } from './payment-rails.js';
import type { PaymentService } from './payment-service.js';
import { type PaymentsAdmin, refundView } from './payments-admin.js';

export interface RefundDeps {
  repo: Repository;
  payments: PaymentService;
  admin: PaymentsAdmin;
  now: () => number;
  log: Logger;
}

const REFUNDABLE = ['receipted', 'closed', 'refunded'] as const;

/**
 * Refunds an admin starts. The refund is recorded as pending together with the payment's move to
 * refund_pending (one transaction, with its audit row) before the acquirer or wallet is asked; the money
 * call is idempotent by refund id, and recovery completes refunds whose answer was lost. Partial refunds add
 * up to at most the captured amount. The Idempotency-Key is per admin: the same key and body return the same
 * refund, the same key with another body is refused.
 */
export class PaymentRefunds {
  readonly #d: RefundDeps;

  constructor(deps: RefundDeps) {
    this.#d = deps;
  }

  async refund(
    principal: AdminPrincipal,
    paymentId: string,
    key: string | undefined,
    req: RefundRequest,
  ): Promise<{ statusCode: number; body: RefundResponse }> {
    requirePermission(principal, 'payments.refund');
    if (!key) {
      throw new LinliError(
        ErrorCode.IDEMPOTENCY_KEY_MISSING,
        'send an Idempotency-Key header with every refund',
        {
          field: 'headers/idempotency-key',
        },
      );
    }
    const { payment } = await this.#d.admin.scoped(principal, paymentId);
    const actor = `admin:${principal.admin.id}`;
    const requestHash = createHash('sha256')
      .update(canonicalJson({ paymentId, ...req }))
      .digest('base64url');
    const existing = await this.#d.repo.refunds.findByKey(actor, key);
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new LinliError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'this Idempotency-Key was used for another refund; make a new key for a new refund',
          { field: 'headers/idempotency-key' },
        );
      }
      if (existing.state === 'pending') await this.complete(existing.id).catch(() => undefined);
      return { statusCode: 200, body: await this.#response(principal, existing.id) };
    }
    if (!(REFUNDABLE as readonly string[]).includes(payment.state)) {
      throw new LinliError(
        ErrorCode.PAYMENT_STATE,
        `payment ${paymentId} is ${payment.state}; only a receipted or closed payment can be refunded (one refund at a time)`,
        { state: payment.state },
      );
    }
    const left = payment.amountFen - payment.refundedFen;
    if (req.amountFen > left) {
      throw new LinliError(
        ErrorCode.REFUND_TOO_LARGE,
        `at most ${left} fen of this payment can still be refunded`,
        { field: 'amountFen', max: left },
      );
    }
    const now = this.#d.now();
    const refund: RefundRecord = {
      id: newId('rfd', now),
      paymentId,
      amountFen: req.amountFen,
      reason: req.reason,
      state: 'pending',
      idempotencyKey: key,
      requestHash,
      createdBy: actor,
      createdAt: now,
      completedAt: null,
      gatewayRef: null,
    };
    const created = await this.#d.payments.withLock(paymentId, () =>
      this.#d.repo.refunds.createPending({ refund, from: payment.state, at: now, actor }),
    );
    if (!created.created) {
      if ('existing' in created)
        return { statusCode: 200, body: await this.#response(principal, created.existing.id) };
      throw created.reason === 'too_large'
        ? new LinliError(ErrorCode.REFUND_TOO_LARGE, 'refunds would exceed the captured amount', {
            field: 'amountFen',
          })
        : new LinliError(ErrorCode.PAYMENT_STATE, `payment ${paymentId} changed meanwhile; look at it again`);
    }
    await this.complete(refund.id).catch((err: unknown) => {
      this.#d.log.warn(
        { refundId: refund.id, err: (err as Error).message },
        'refund pending; recovery retries it',
      );
    });
    return { statusCode: 201, body: await this.#response(principal, refund.id) };
  }

  /** Asks the rail (idempotent by refund id) and records the result; true once the refund succeeded. */
  async complete(refundId: string): Promise<boolean> {
    const pending = await this.#d.repo.refunds.get(refundId);
    if (pending?.state !== 'pending') return false;
    return this.#d.payments.withLock(pending.paymentId, async () => {
      const p = await this.#d.repo.payments.get(pending.paymentId);
      if (!p) return false;
      const { reference } = await railOf(this.#d.payments.pipelineDeps(), p).refund(
        p,
        pending.id,
        pending.amountFen,
      );
      return (await this.#d.repo.refunds.complete(pending.id, reference, this.#d.now())) !== undefined;
    });
  }

  async #response(principal: AdminPrincipal, refundId: string): Promise<RefundResponse> {
    const refund = await this.#d.repo.refunds.get(refundId);
    if (!refund) throw new Error(`internal: refund ${refundId} vanished`);
    return { refund: refundView(refund), payment: await this.#d.admin.get(principal, refund.paymentId) };
  }
}
