import { randomBytes } from 'node:crypto';
import { API, IDEMPOTENCY_HEADER } from '../../../protocol/api.js';
import type { Bill } from '../../../protocol/schemas/bill.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { PaymentResponse } from '../../../protocol/schemas/device-api.js';
import type { TerminalResult } from '../../../protocol/schemas/payment.js';
import type { Harness } from './harness.js';
import type { TestDevice } from './test-device.js';

export const idemKey = (): string => randomBytes(16).toString('base64url');

/** The kiosk side of a payment, step by step over inject(), for tests. */
export class KioskFlow {
  constructor(
    readonly h: Harness,
    readonly kiosk: TestDevice,
  ) {}

  async bills(billerId: string, account: string): Promise<Signed<Bill>[]> {
    const res = await this.kiosk.call(this.h.app, {
      method: 'GET',
      url: `${API.deviceBills}?billerId=${billerId}&account=${account}`,
    });
    if (res.statusCode !== 200) throw new Error(`bills: ${res.body}`);
    return (res.json() as { bills: Signed<Bill>[] }).bills;
  }

  /** `key: null` sends no Idempotency-Key header. */
  create(
    billId: string,
    amountFen: number,
    key: string | null = idemKey(),
    method: 'terminal' | 'qr' = 'terminal',
  ) {
    return this.kiosk.call(this.h.app, {
      method: 'POST',
      url: API.devicePayments,
      headers: key === null ? {} : { [IDEMPOTENCY_HEADER]: key },
      payload: { billId, amountFen, method },
    });
  }

  get(id: string) {
    return this.kiosk.call(this.h.app, { method: 'GET', url: API.devicePayment(id) });
  }

  /** Lookup → create (QR) → present: the payment with its wallet code URL, waiting for the payer. */
  async startQr(billerId: string, account: string): Promise<PaymentResponse> {
    const [bill] = await this.bills(billerId, account);
    if (!bill) throw new Error(`no open bill for ${billerId} ${account}`);
    const created = (
      await this.create(bill.payload.id, bill.payload.amountFen, idemKey(), 'qr')
    ).json() as PaymentResponse;
    const res = await this.step(created.payment.payload.id, 'present');
    if (res.statusCode !== 200) throw new Error(`present: ${res.body}`);
    return res.json() as PaymentResponse;
  }

  step(id: string, what: 'present' | 'cancel' | 'close') {
    const url = {
      present: API.devicePaymentPresent,
      cancel: API.devicePaymentCancel,
      close: API.devicePaymentClose,
    }[what](id);
    return this.kiosk.call(this.h.app, { method: 'POST', url, payload: {} });
  }

  authorize(id: string, amountFen: number, patch: Partial<TerminalResult> = {}) {
    const terminal: TerminalResult = {
      outcome: 'approved',
      amountFen,
      reference: id,
      authCode: 'A1B2C3',
      maskedCard: '622202******1234',
      cardToken: `ct_${id}`,
      terminalTxnId: 'T0001',
      ...patch,
    };
    return this.kiosk.call(this.h.app, {
      method: 'POST',
      url: API.devicePaymentAuthorization(id),
      payload: { terminal },
    });
  }

  /** Lookup → create → present → approved authorization; returns the final response. */
  async pay(billerId: string, account: string): Promise<PaymentResponse> {
    const [bill] = await this.bills(billerId, account);
    if (!bill) throw new Error(`no open bill for ${billerId} ${account}`);
    const created = (await this.create(bill.payload.id, bill.payload.amountFen)).json() as PaymentResponse;
    const id = created.payment.payload.id;
    await this.step(id, 'present');
    const res = await this.authorize(id, bill.payload.amountFen);
    if (res.statusCode !== 200) throw new Error(`authorize: ${res.body}`);
    return res.json() as PaymentResponse;
  }
}
