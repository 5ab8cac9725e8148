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
import { authorizePayment, type PipelineDeps } from './payment-authorization.js';
import type { PaymentDeps } from './payment-deps.js';
import { signPayment } from './payment-signing.js';
import { assertTransition } from './payment-state-machine.js';

export interface CreatedPayment {
  statusCode: number;
  body: PaymentResponse;
  replayed: boolean;
}

/**
 * Kiosk payments on the control plane. Requests for one payment are serialised; every state change is a
 * compare-and-set with an audit row, written before the step that depends on it.
 */
export class PaymentService {
  readonly #d: PaymentDeps;
  readonly #lock = new KeyedLock();

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

  async get(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    return this.respond(await this.owned(principal, id));
  }

  /** The kiosk is about to hand the amount to the terminal. Repeating it is harmless. */
  async present(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    return this.#simpleTransition(principal, id, 'presented', ['presented']);
  }

  /** The resident walked away or the kiosk gave up before the terminal approved anything. */
  async cancel(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    return this.#simpleTransition(principal, id, 'canceled', ['canceled']);
  }

  /** The receipt was printed; the kiosk is done with this payment. */
  async close(principal: DevicePrincipal, id: string): Promise<PaymentResponse> {
    return this.#simpleTransition(principal, id, 'closed', ['closed']);
  }

  async authorize(
    principal: DevicePrincipal,
    id: string,
    terminal: TerminalResult,
  ): Promise<PaymentResponse> {
    requireRole(principal, ['kiosk']);
    return this.#lock.run(id, async () => {
      const payment = await this.owned(principal, id);
      const final = await authorizePayment(
        this.#pipelineDeps(),
        payment,
        terminal,
        actorOf(principal),
        principal,
      );
      return this.respond(final);
    });
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

  async #simpleTransition(
    principal: DevicePrincipal,
    id: string,
    to: PaymentState,
    alreadyThere: readonly PaymentState[],
  ): Promise<PaymentResponse> {
    return this.#lock.run(id, async () => {
      const p = await this.owned(principal, id);
      if (alreadyThere.includes(p.state)) return this.respond(p);
      assertTransition(p.id, p.state, to);
      const next = await this.transition(p, to, actorOf(principal));
      return this.respond(next);
    });
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

  #pipelineDeps(): PipelineDeps {
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
