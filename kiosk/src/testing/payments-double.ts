import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API, IDEMPOTENCY_HEADER } from '../../../protocol/api.js';
import { signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { SigningKey } from '../../../protocol/keys.js';
import { maskAccount } from '../../../protocol/money.js';
import type { Bill, BillerId } from '../../../protocol/schemas/bill.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { Payment, PaymentState, TerminalResult } from '../../../protocol/schemas/payment.js';
import type { Receipt } from '../../../protocol/schemas/receipt.js';

/** What the payments part needs from the control-plane double (kept as an interface: no import cycle). */
export interface PaymentsHost {
  readonly transaction: SigningKey;
  readonly nodeId: string;
  readonly url: string;
  deviceOf(req: FastifyRequest): string;
  reply(req: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply | undefined;
}

export const SEEDED: Record<string, { billerId: BillerId; amountFen: number }> = {
  '100100000001': { billerId: 'water', amountFen: 3850 },
  '200200000001': { billerId: 'electricity', amountFen: 15630 },
};

const NAMES: Record<BillerId, { zh: string; en: string }> = {
  water: { zh: '自来水费', en: 'Water' },
  electricity: { zh: '电费', en: 'Electricity' },
  gas: { zh: '燃气费', en: 'Gas' },
  property: { zh: '物业费', en: 'Property fee' },
};

/** Bills and the payment state machine of the control-plane double (see control-plane-double.ts). */
export class PaymentsDouble {
  readonly #cp: PaymentsHost;
  readonly bills = new Map<string, Bill>();
  readonly payments = new Map<string, { payment: Payment; receipt?: Receipt }>();
  readonly idempotency = new Map<string, { body: string; paymentId: string }>();
  /** Approved authorizations processed: the number of times money was taken for real. */
  authorizations = 0;
  /** Off: `presented` comes without a terminal request, as from a control plane that issues none. */
  issueTerminalRequest = true;
  /** Sign bills with the content key instead of the transaction key (a forgery the kiosk must refuse). */
  forgeBills = false;

  constructor(cp: PaymentsHost) {
    this.#cp = cp;
  }

  #signBill(b: Bill): Signed<Bill> {
    if (!this.forgeBills) return signEnvelope(b, this.#cp.transaction);
    const env = signEnvelope(b, this.#cp.transaction);
    return { ...env, payload: { ...env.payload, amountFen: 1 } };
  }

  #response(id: string) {
    const rec = this.payments.get(id)!;
    return {
      payment: signEnvelope(rec.payment, this.#cp.transaction),
      ...(rec.receipt ? { receipt: signEnvelope(rec.receipt, this.#cp.transaction) } : {}),
    };
  }

  #own(deviceId: string, id: string): { payment: Payment; receipt?: Receipt } {
    const rec = this.payments.get(id);
    if (!rec || rec.payment.deviceId !== deviceId)
      throw new LinliError(ErrorCode.PAYMENT_NOT_FOUND, 'no such payment');
    return rec;
  }

  #move(rec: { payment: Payment }, from: PaymentState[], to: PaymentState): void {
    if (!from.includes(rec.payment.state)) {
      throw new LinliError(ErrorCode.PAYMENT_STATE, `payment is ${rec.payment.state}, cannot become ${to}`);
    }
    rec.payment = { ...rec.payment, state: to, updatedAt: new Date().toISOString() };
  }

  routes(app: FastifyInstance): void {
    const cp = this.#cp;
    app.get<{ Querystring: { billerId: BillerId; account: string } }>(API.deviceBills, async (req) => {
      const deviceId = cp.deviceOf(req);
      const seeded = SEEDED[req.query.account];
      if (!seeded || seeded.billerId !== req.query.billerId) {
        throw new LinliError(ErrorCode.ACCOUNT_NOT_FOUND, 'no such account');
      }
      const key = `${deviceId}:${req.query.account}`;
      let bill = this.bills.get(key);
      if (!bill || Date.parse(bill.expiresAt) < Date.now()) {
        bill = {
          type: 'linli.bill/v1',
          id: newId('bill'),
          billerId: seeded.billerId,
          billerName: NAMES[seeded.billerId],
          accountMasked: maskAccount(req.query.account),
          holderMasked: '王*明',
          period: '2026-10',
          amountFen: seeded.amountFen,
          dueDate: '2026-12-15',
          communityId: cp.nodeId,
          deviceId,
          issuedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
        };
        this.bills.set(key, bill);
      }
      return { bills: [this.#signBill(bill)] };
    });

    app.post<{ Body: { billId: string; amountFen: number; method: 'terminal' | 'qr' } }>(
      API.devicePayments,
      async (req, reply) => {
        const deviceId = cp.deviceOf(req);
        const key = req.headers[IDEMPOTENCY_HEADER];
        if (typeof key !== 'string') throw new LinliError(ErrorCode.IDEMPOTENCY_KEY_MISSING, 'no key');
        const body = JSON.stringify(req.body);
        const seen = this.idempotency.get(`${deviceId}:${key}`);
        if (seen) {
          if (seen.body !== body)
            throw new LinliError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'same key, other body');
          return cp.reply(req, reply, this.#response(seen.paymentId));
        }
        const bill = [...this.bills.values()].find(
          (b) => b.id === req.body.billId && b.deviceId === deviceId,
        );
        if (!bill) throw new LinliError(ErrorCode.BILL_NOT_FOUND, 'no such bill');
        if (bill.amountFen !== req.body.amountFen) throw new LinliError(ErrorCode.AMOUNT_MISMATCH, 'amount');
        const settled = [...this.payments.values()].some(
          (p) => p.payment.billId === bill.id && ['receipted', 'closed'].includes(p.payment.state),
        );
        if (settled) throw new LinliError(ErrorCode.BILL_ALREADY_PAID, 'already paid');
        const now = new Date().toISOString();
        const payment: Payment = {
          type: 'linli.payment/v1',
          id: newId('pay'),
          idempotencyKey: key,
          deviceId,
          billId: bill.id,
          billerId: bill.billerId,
          accountMasked: bill.accountMasked,
          amountFen: bill.amountFen,
          method: req.body.method,
          state: 'created',
          createdAt: now,
          updatedAt: now,
        };
        this.payments.set(payment.id, { payment });
        this.idempotency.set(`${deviceId}:${key}`, { body, paymentId: payment.id });
        return cp.reply(req, reply, this.#response(payment.id));
      },
    );

    app.get<{ Params: { id: string } }>('/api/v1/device/payments/:id', async (req, reply) => {
      this.#own(cp.deviceOf(req), req.params.id);
      return cp.reply(req, reply, this.#response(req.params.id));
    });

    app.post<{ Params: { id: string } }>('/api/v1/device/payments/:id/present', async (req, reply) => {
      const rec = this.#own(cp.deviceOf(req), req.params.id);
      if (rec.payment.state !== 'presented') {
        this.#move(rec, ['created'], 'presented');
        // The terminal request the real control plane issues with `presented` (opaque to the kiosk).
        if (this.issueTerminalRequest) {
          rec.payment.saleToAcquirerData = `req_${randomBytes(16).toString('base64url')}`;
        }
      }
      return cp.reply(req, reply, this.#response(req.params.id));
    });

    app.post<{ Params: { id: string }; Body: { terminal: TerminalResult } }>(
      '/api/v1/device/payments/:id/authorization',
      async (req, reply) => {
        const rec = this.#own(cp.deviceOf(req), req.params.id);
        const t = req.body.terminal;
        if (t.outcome !== 'approved') {
          this.#move(rec, ['presented', 'unknown'], 'canceled');
          return cp.reply(req, reply, this.#response(rec.payment.id));
        }
        // Like the real one: an approval that names no acquirer authorization moves nothing.
        if (!t.acquirerTransactionId) {
          throw new LinliError(ErrorCode.TERMINAL_RESULT_UNVERIFIED, 'no acquirer reference');
        }
        this.#move(rec, ['presented', 'unknown'], 'receipted');
        this.authorizations++;
        rec.payment = {
          ...rec.payment,
          ...(t.authCode ? { authCode: t.authCode } : {}),
          ...(t.maskedCard ? { maskedCard: t.maskedCard } : {}),
        };
        const receiptId = newId('rcpt');
        rec.payment.receiptId = receiptId;
        rec.receipt = {
          type: 'linli.receipt/v1',
          id: receiptId,
          paymentId: rec.payment.id,
          deviceId: rec.payment.deviceId,
          communityName: '幸福里社区',
          billerId: rec.payment.billerId,
          billerName: NAMES[rec.payment.billerId],
          accountMasked: rec.payment.accountMasked,
          period: '2026-10',
          amountFen: rec.payment.amountFen,
          method: rec.payment.method,
          ...(t.authCode ? { authCode: t.authCode } : {}),
          ...(t.maskedCard ? { maskedCard: t.maskedCard } : {}),
          paidAt: new Date().toISOString(),
          verifyUrl: `${cp.url}${API.receiptPage(receiptId)}`,
        };
        return cp.reply(req, reply, this.#response(rec.payment.id));
      },
    );

    app.post<{ Params: { id: string } }>('/api/v1/device/payments/:id/close', async (req, reply) => {
      const rec = this.#own(cp.deviceOf(req), req.params.id);
      this.#move(rec, ['receipted'], 'closed');
      return cp.reply(req, reply, this.#response(rec.payment.id));
    });

    app.post<{ Params: { id: string } }>('/api/v1/device/payments/:id/cancel', async (req, reply) => {
      const rec = this.#own(cp.deviceOf(req), req.params.id);
      if (rec.payment.state !== 'canceled') this.#move(rec, ['created', 'presented', 'unknown'], 'canceled');
      return cp.reply(req, reply, this.#response(rec.payment.id));
    });

    app.post<{ Params: { id: string } }>('/api/v1/device/payments/:id/unknown', async (req, reply) => {
      const rec = this.#own(cp.deviceOf(req), req.params.id);
      if (rec.payment.state === 'presented') this.#move(rec, ['presented'], 'unknown');
      return cp.reply(req, reply, this.#response(rec.payment.id));
    });
  }
}
