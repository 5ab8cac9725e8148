import { randomBytes } from 'node:crypto';
import { API, IDEMPOTENCY_HEADER } from '../../../protocol/api.js';
import type { Bill } from '../../../protocol/schemas/bill.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { PaymentResponse } from '../../../protocol/schemas/device-api.js';
import type { TerminalResult } from '../../../protocol/schemas/payment.js';
import { type SimAuthorizationRecord, sealSimAuthorization } from '../sim/gateway/sim-acquirer-seal.js';
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

  /**
   * What a genuine terminal reports: an approval whose acquirer reference the simulated acquirer issued for
   * this payment, the amount and the control plane's terminal request (read from the payment as it stands).
   * `acquirer` changes what the acquirer's record says; `patch` changes what the kiosk claims.
   */
  async approval(
    id: string,
    amountFen: number,
    patch: Partial<TerminalResult> = {},
    acquirer: Partial<SimAuthorizationRecord> = {},
  ): Promise<TerminalResult> {
    const request = ((await this.get(id)).json() as Partial<PaymentResponse>).payment?.payload
      .saleToAcquirerData;
    return {
      outcome: 'approved',
      amountFen,
      reference: id,
      authCode: 'A1B2C3',
      maskedCard: '622202******1234',
      terminalTxnId: 'T0001',
      acquirerTransactionId: sealSimAuthorization({
        SaleTransactionID: id,
        AuthorizedAmount: amountFen,
        Currency: 'CNY',
        ...(request ? { SaleToAcquirerData: request } : {}),
        ApprovalCode: 'A1B2C3',
        POITransactionID: 'T0001',
        TimeStamp: new Date(this.h.clock.now()).toISOString(),
        ...acquirer,
      }),
      ...patch,
    };
  }

  /** Sends a terminal result, as given, to `POST .../authorization`. */
  report(id: string, terminal: TerminalResult) {
    return this.kiosk.call(this.h.app, {
      method: 'POST',
      url: API.devicePaymentAuthorization(id),
      payload: { terminal },
    });
  }

  /** A genuine approval (see `approval`), reported. */
  async authorize(
    id: string,
    amountFen: number,
    patch: Partial<TerminalResult> = {},
    acquirer: Partial<SimAuthorizationRecord> = {},
  ) {
    return this.report(id, await this.approval(id, amountFen, patch, acquirer));
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
