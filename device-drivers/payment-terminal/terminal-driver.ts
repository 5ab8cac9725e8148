import type { DeviceInfo } from '../contracts/device.js';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type {
  PaymentTerminal,
  PaymentTerminalEvents,
  TerminalPaymentRequest,
  TerminalPaymentResult,
} from '../contracts/payment-terminal.js';
import type { Transport } from '../contracts/transport.js';
import { BaseDevice } from '../core/base-device.js';
import type { SupervisorOptions } from '../transports/supervisor.js';
import { FramedLink } from './framed-link.js';
import { type PaymentResponseBody, parseTerminalMessage, type TerminalMessage } from './messages.js';

export interface PaymentTerminalOptions {
  readonly transport: Transport;
  readonly name?: string;
  readonly vendor?: string;
  readonly model?: string;
  readonly supervisor?: SupervisorOptions;
  /** The terminal's own processing timeout (120 s class); a payment without answer by then is `unknown`. */
  readonly paymentTimeoutMs?: number;
  readonly statusTimeoutMs?: number;
  readonly ackTimeoutMs?: number;
}

type StatusAnswer = TerminalPaymentResult | { readonly outcome: 'not_found'; readonly reference: string };

const REF = /^[A-Za-z0-9_.:-]{1,64}$/;
const ACQUIRER_DATA = /^[\x21-\x7e]{1,256}$/;

/**
 * Host side of a certified payment terminal. A missing answer is never a failure: `pay` resolves `unknown`
 * and the caller resolves it with `queryStatus`, because the terminal may still have taken the money.
 */
export class PaymentTerminalDriver extends BaseDevice<PaymentTerminalEvents> implements PaymentTerminal {
  readonly #opts: PaymentTerminalOptions;
  readonly #link: FramedLink;
  #service = 0;
  #payment: { reference: string; resolve: (r: PaymentResponseBody) => void } | undefined;
  #status = new Map<string, (m: StatusAnswer) => void>();

  constructor(opts: PaymentTerminalOptions) {
    const info: DeviceInfo = {
      name: opts.name ?? 'payment-terminal',
      kind: 'payment-terminal',
      ...(opts.vendor ? { vendor: opts.vendor } : {}),
      ...(opts.model ? { model: opts.model } : {}),
      address: opts.transport.info.address,
    };
    super({ info, transport: opts.transport, ...(opts.supervisor ? { supervisor: opts.supervisor } : {}) });
    this.#opts = opts;
    this.#link = new FramedLink({
      send: (b) => this.link.write(b),
      onFrame: (body) => this.#onFrame(body),
      onError: (e) => this.raiseError(e, 'input', 'clear'),
      ackTimeoutMs: opts.ackTimeoutMs ?? 1000,
    });
  }

  protected async onEnable(): Promise<void> {
    // The link has no hello; a status query for a reference that cannot exist proves the terminal answers.
    await this.#query(`linli-probe-${Date.now()}`);
  }

  protected onBytes(chunk: Uint8Array): void {
    this.#link.push(chunk);
  }

  async pay(request: TerminalPaymentRequest): Promise<TerminalPaymentResult> {
    this.requireEnabled();
    const { amountFen, reference, saleToAcquirerData } = request;
    if (!Number.isInteger(amountFen) || amountFen < 1 || amountFen > 100_000_000) {
      throw invalid('amountFen', 'an integer number of fen between 1 and 100000000', amountFen);
    }
    if (typeof reference !== 'string' || !REF.test(reference)) {
      throw invalid('reference', ' 1–64 characters of A-Z a-z 0-9 _ . : -', reference);
    }
    if (request.currency !== 'CNY') throw invalid('currency', "'CNY'", request.currency);
    if (
      saleToAcquirerData !== undefined &&
      (typeof saleToAcquirerData !== 'string' || !ACQUIRER_DATA.test(saleToAcquirerData))
    ) {
      throw invalid('saleToAcquirerData', '1–256 printable ASCII characters', saleToAcquirerData);
    }
    if (this.#payment) {
      throw new DeviceError(
        DeviceErrorCode.BUSY,
        `Payment ${this.#payment.reference} is still in progress; wait or abort it.`,
      );
    }
    const timeoutMs = request.timeoutMs ?? this.#opts.paymentTimeoutMs ?? 120_000;
    this.setState('busy');
    const answer = new Promise<PaymentResponseBody | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), timeoutMs);
      this.#payment = {
        reference,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
      };
    });
    try {
      await this.#link.send(
        JSON.stringify({
          MessageHeader: this.#header('Payment'),
          PaymentRequest: {
            SaleTransactionID: reference,
            RequestedAmount: amountFen,
            Currency: 'CNY',
            ...(saleToAcquirerData !== undefined ? { SaleToAcquirerData: saleToAcquirerData } : {}),
          },
        }),
      );
    } catch {
      // Not acknowledged is not "not received": the ACK may be what got lost. Only a status query can tell.
      this.#payment = undefined;
      this.setState('idle');
      return { outcome: 'unknown', reference, amountFen };
    }
    const r = await answer;
    this.#payment = undefined;
    this.setState('idle');
    return r ? toResult(r) : { outcome: 'unknown', reference, amountFen };
  }

  async abort(reference: string): Promise<void> {
    this.requireEnabled();
    await this.#link.send(
      JSON.stringify({
        MessageHeader: this.#header('Abort'),
        AbortRequest: { SaleTransactionID: reference },
      }),
    );
  }

  queryStatus(reference: string): Promise<StatusAnswer> {
    this.requireEnabled();
    return this.#query(reference);
  }

  protected override onDetach(): void {
    // A pending payment stays pending: its answer may come after re-attach, else the timeout makes it unknown.
  }

  async #query(reference: string): Promise<StatusAnswer> {
    const timeoutMs = this.#opts.statusTimeoutMs ?? 10_000;
    const answer = new Promise<StatusAnswer>((resolve, reject) => {
      const t = setTimeout(() => {
        this.#status.delete(reference);
        reject(
          new DeviceError(
            DeviceErrorCode.TIMEOUT,
            `Terminal did not answer the status query for ${reference} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#status.set(reference, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
    answer.catch(() => undefined);
    try {
      await this.#link.send(
        JSON.stringify({
          MessageHeader: this.#header('TransactionStatus'),
          TransactionStatusRequest: { SaleTransactionID: reference },
        }),
      );
    } catch (err) {
      this.#status.delete(reference);
      throw err;
    }
    return answer;
  }

  #header(category: 'Payment' | 'Abort' | 'TransactionStatus') {
    return { MessageCategory: category, MessageType: 'Request', ServiceID: String(++this.#service) };
  }

  #onFrame(body: string): void {
    let msg: TerminalMessage;
    try {
      msg = parseTerminalMessage(body);
    } catch (err) {
      this.raiseError(err as DeviceError, 'input', 'clear');
      return;
    }
    if ('PaymentResponse' in msg) {
      const r = msg.PaymentResponse;
      if (this.#payment?.reference === r.SaleTransactionID) this.#payment.resolve(r);
    } else if ('DisplayRequest' in msg) {
      this.emit('prompt', {
        reference: msg.DisplayRequest.SaleTransactionID,
        message: msg.DisplayRequest.Text,
      });
    } else {
      const s = msg.TransactionStatusResponse;
      const done = this.#status.get(s.SaleTransactionID);
      if (!done) return;
      this.#status.delete(s.SaleTransactionID);
      if (s.Result === 'Success' && s.RepeatedResponse) done(toResult(s.RepeatedResponse));
      else if (s.ErrorCondition === 'InProgress')
        done({ outcome: 'unknown', reference: s.SaleTransactionID, amountFen: 0 });
      else done({ outcome: 'not_found', reference: s.SaleTransactionID });
    }
  }
}

function toResult(r: PaymentResponseBody): TerminalPaymentResult {
  const outcome =
    r.Result === 'Success' ? 'approved' : r.ErrorCondition === 'Aborted' ? 'aborted' : 'declined';
  return {
    outcome,
    reference: r.SaleTransactionID,
    amountFen: r.AuthorizedAmount,
    ...(r.ApprovalCode ? { authCode: r.ApprovalCode } : {}),
    ...(r.MaskedPAN ? { maskedCard: r.MaskedPAN } : {}),
    ...(r.PaymentToken ? { cardToken: r.PaymentToken } : {}),
    ...(r.POITransactionID ? { terminalTxnId: r.POITransactionID } : {}),
    ...(r.AcquirerTransactionID ? { acquirerTransactionId: r.AcquirerTransactionID } : {}),
    ...(r.DeclineReason ? { declineReason: r.DeclineReason } : {}),
  };
}

function invalid(param: string, expected: string, actual: unknown): DeviceError {
  return new DeviceError(
    DeviceErrorCode.INVALID_ARGUMENT,
    `Expected ${expected} for ${param} but received ${JSON.stringify(actual)}`,
    { param, expected, actual },
  );
}
