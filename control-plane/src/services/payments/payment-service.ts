import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../protocol/canonical-json.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { PaymentResponse } from '../../../../protocol/schemas/device-api.js';
import type {
  CreatePaymentRequest,
  PaymentState,
  TerminalResult,
} from '../../../../protocol/schemas/payment.js';
import type { PaymentPatch, PaymentRecord } from '../../storage/records.js';
import type { DevicePrincipal } from '../context.js';
import { requireRole } from '../device-auth.js';
import { KeyedLock } from '../keyed-lock.js';
import { authorizePayment } from './payment-authorization.js';
import type { PaymentDeps, PipelineDeps } from './payment-deps.js';
import { runPipeline } from './payment-pipeline.js';
import { cancelQr, presentQr, resyncQr } from './payment-qr.js';
import { signPayment } from './payment-signing.js';
import { AWAITING_PAYER, assertTransition } from './payment-state-machine.js';

export interface CreatedPayment {
  statusCode: number;
  body: PaymentResponse;
  replayed: boolean;
}

/** How often a kiosk's poll of a waiting QR payment may trigger a wallet order query. */
const QR_POLL_QUERY_MS = 2_000;

/**
 * Kiosk payments on the control plane. Requests for one payment are serialised (with the wallet webhook and
 * the recovery sweep too); every state change is a compare-and-set with an audit row, written before the step
 * that depends on it.
 */
export class PaymentService {
  readonly #d: PaymentDeps;
  readonly #lock = new KeyedLock();
  readonly #queried = new Map<string, number>();

  constructor(deps: PaymentDeps) {
    this.#d = deps;
  }

  /**
   * Creates a payment for a bill this kiosk was shown. The idempotency key is scoped to the device: the same
   * key with the same body returns the stored response, with another body it is refused.
   */
  async create(
    principal: DevicePrincipal,
    key: string | undefined,
    req: CreatePaymentRequest,
  ): Promise<CreatedPayment> {
    requireRole(principal, ['kiosk']);
    if (!key) {
      throw new LinliError(
        ErrorCode.IDEMPOTENCY_KEY_MISSING,
        'send an Idempotency-Key header (16–64 characters of A–Z a–z 0–9 _ -), journaled before the request',
        { field: 'headers/idempotency-key' },
      );
    }
    const device = principal.device;
    const requestHash = createHash('sha256').update(canonicalJson(req)).digest('base64url');
    const previous = await this.#d.repo.payments.findIdempotency(device.id, key);
    if (previous)
      return this.#replay(previous.requestHash, requestHash, previous.statusCode, previous.response);

    const { repo, now } = this.#d;
    const bill = await repo.bills.get(req.billId);
    if (!bill || bill.deviceId !== device.id) {
      throw new LinliError(
        ErrorCode.BILL_NOT_FOUND,
        `bill ${req.billId} was not issued to this kiosk; look the bill up again`,
        {
          field: 'billId',
        },
      );
    }
    if (bill.expiresAt <= now()) {
      throw new LinliError(
        ErrorCode.BILL_EXPIRED,
        'this bill has expired; look it up again to pay the current amount',
        {
          field: 'billId',
        },
      );
    }
    if (req.amountFen !== bill.amountFen) {
      throw new LinliError(
        ErrorCode.AMOUNT_MISMATCH,
        `the bill is ${bill.amountFen} fen, the request says ${req.amountFen}; pay the amount on the bill`,
        { field: 'amountFen', expected: bill.amountFen },
      );
    }
    if (await repo.payments.findSettlingForBillRef(bill.billerBillRef)) {
      throw new LinliError(ErrorCode.BILL_ALREADY_PAID, 'this bill has already been paid', {
        field: 'billId',
      });
    }
    const at = now();
    const payment: PaymentRecord = {
      id: newId('pay', at),
      deviceId: device.id,
      billId: bill.id,
      idempotencyKey: key,
      billerId: bill.billerId,
      billerBillRef: bill.billerBillRef,
      accountMasked: bill.envelope.payload.accountMasked,
      amountFen: bill.amountFen,
      method: req.method,
      state: 'created',
      authCode: null,
      maskedCard: null,
      cardToken: null,
      terminalTxnId: null,
      postingId: null,
      captureId: null,
      receiptId: null,
      walletOrderId: null,
      qrCodeUrl: null,
      qrExpiresAt: null,
      refundedFen: 0,
      reason: null,
      createdAt: at,
      updatedAt: at,
    };
    const body: PaymentResponse = { payment: signPayment(payment, this.#d.keys.transaction) };
    const result = await repo.payments.createWithIdempotency(
      payment,
      {
        deviceId: device.id,
        key,
        requestHash,
        paymentId: payment.id,
        statusCode: 201,
        response: body,
        createdAt: at,
      },
      actorOf(principal),
    );
    if (!result.created) {
      const e = result.existing;
      return this.#replay(e.requestHash, requestHash, e.statusCode, e.response);
    }
    return { statusCode: 201, body, replayed: false };
  }

  /** The payment as it stands. A waiting QR payment is checked with the wallet first (rate-limited). */
  async get(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    const p = await this.owned(principal, id);
    if (p.method === 'qr' && AWAITING_PAYER.includes(p.state)) {
      const last = this.#queried.get(id) ?? 0;
      if (this.#d.now() - last >= QR_POLL_QUERY_MS) {
        if (this.#queried.size > 10_000) this.#queried.clear();
        this.#queried.set(id, this.#d.now());
        try {
          return this.respond(await this.resync(id));
        } catch (err) {
          this.#d.log.warn(
            { paymentId: id, err: (err as Error).message },
            'order query failed; answering as stored',
          );
        }
      }
    }
    return this.respond(await this.owned(principal, id));
  }

  /**
   * The kiosk is about to hand the amount to the terminal (terminal), or wants the QR code to show (qr: the
   * wallet order is created here). Repeating it is harmless.
   */
  async present(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    requireRole(principal, ['kiosk']);
    return this.#lock.run(id, async () => {
      const p = await this.owned(principal, id);
      if (p.state !== 'created') {
        if (p.state === 'presented' || p.state === 'unknown') return this.respond(p);
        assertTransition(p.id, p.state, 'presented');
      }
      const next =
        p.method === 'qr'
          ? await presentQr(this.pipelineDeps(), p, actorOf(principal))
          : await this.transition(p, 'presented', actorOf(principal));
      return this.respond(next);
    });
  }

  /**
   * Cancel before any money moved: the kiosk has the terminal's word that nothing was charged, or the
   * resident walked away from a QR code (the wallet order is closed; if it was paid meanwhile, the payment
   * completes instead and the answer says so).
   */
  async cancel(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    requireRole(principal, ['kiosk']);
    return this.#lock.run(id, async () => {
      const p = await this.owned(principal, id);
      if (p.state === 'canceled') return this.respond(p);
      if (p.method === 'qr') return this.respond(await cancelQr(this.pipelineDeps(), p, actorOf(principal)));
      assertTransition(p.id, p.state, 'canceled');
      return this.respond(
        await this.transition(p, 'canceled', actorOf(principal), { reason: 'canceled at the kiosk' }),
      );
    });
  }

  /** The receipt was printed (or shown); the kiosk is done with this payment. */
  async close(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    requireRole(principal, ['kiosk']);
    return this.#lock.run(id, async () => {
      const p = await this.owned(principal, id);
      // A refund an admin started meanwhile does not stop the kiosk from finishing.
      if (p.state === 'closed' || p.state === 'refund_pending' || p.state === 'refunded')
        return this.respond(p);
      assertTransition(p.id, p.state, 'closed');
      return this.respond(await this.transition(p, 'closed', actorOf(principal)));
    });
  }

  /** The terminal's answer was lost: nobody knows whether the card was charged until a status query says. */
  async reportUnknown(principal: DevicePrincipal, id: string, reason: string): Promise<PaymentResponse> {
    requireRole(principal, ['kiosk']);
    return this.#lock.run(id, async () => {
      const p = await this.owned(principal, id);
      if (p.state !== 'presented') return this.respond(p);
      return this.respond(await this.transition(p, 'unknown', actorOf(principal), undefined, { reason }));
    });
  }

  async authorize(
    principal: DevicePrincipal,
    id: string,
    terminal: TerminalResult,
  ): Promise<PaymentResponse> {
    requireRole(principal, ['kiosk']);
    return this.#lock.run(id, async () => {
      const payment = await this.owned(principal, id);
      return this.respond(await authorizePayment(this.pipelineDeps(), payment, terminal, actorOf(principal)));
    });
  }

  /** Order query for a QR payment, or pipeline resume for any in-flight payment (webhooks, recovery). */
  resync(id: string): Promise<PaymentRecord> {
    return this.#lock.run(id, async () => {
      const p = await this.#d.repo.payments.get(id);
      if (!p) throw new LinliError(ErrorCode.PAYMENT_NOT_FOUND, `no payment ${id}`);
      if (p.method === 'qr') return resyncQr(this.pipelineDeps(), p);
      return runPipeline(this.pipelineDeps(), p);
    });
  }

  /** Runs `fn` under this payment's lock (refunds, admin actions). */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(id, fn);
  }

  async owned(principal: DevicePrincipal, id: string): Promise<PaymentRecord> {
    requireRole(principal, ['kiosk']);
    const p = await this.#d.repo.payments.get(id);
    if (!p || p.deviceId !== principal.device.id) {
      throw new LinliError(ErrorCode.PAYMENT_NOT_FOUND, `no payment ${id} for this kiosk`, { field: 'id' });
    }
    return p;
  }

  /** The current state, signed now, plus the stored receipt once there is one. */
  async respond(p: PaymentRecord): Promise<PaymentResponse> {
    const receipt = p.receiptId ? await this.#d.repo.receipts.get(p.receiptId) : undefined;
    return {
      payment: signPayment(p, this.#d.keys.transaction),
      ...(receipt ? { receipt: receipt.envelope } : {}),
    };
  }

  /** Compare-and-set with an audit row; a concurrent change elsewhere surfaces as PAYMENT_STATE. */
  async transition(
    p: PaymentRecord,
    to: PaymentState,
    actor: string,
    patch?: PaymentPatch,
    detail?: Record<string, unknown>,
  ): Promise<PaymentRecord> {
    assertTransition(p.id, p.state, to);
    const next = await this.#d.repo.payments.transition({
      paymentId: p.id,
      from: p.state,
      to,
      at: this.#d.now(),
      actor,
      ...(patch ? { patch } : {}),
      ...(detail ? { detail } : {}),
    });
    if (!next) {
      throw new LinliError(ErrorCode.PAYMENT_STATE, `payment ${p.id} changed meanwhile; fetch it and retry`, {
        paymentId: p.id,
      });
    }
    return next;
  }

  pipelineDeps(): PipelineDeps {
    return { ...this.#d, transition: this.transition.bind(this) };
  }

  #replay(storedHash: string, requestHash: string, statusCode: number, response: unknown): CreatedPayment {
    if (storedHash !== requestHash) {
      throw new LinliError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'this Idempotency-Key was used for a different request; make a new key for a new payment',
        { field: 'headers/idempotency-key' },
      );
    }
    return { statusCode, body: response as PaymentResponse, replayed: true };
  }
}

export function actorOf(principal: DevicePrincipal): string {
  return `device:${principal.device.id}`;
}
