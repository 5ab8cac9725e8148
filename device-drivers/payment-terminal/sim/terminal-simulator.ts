import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DevicePort } from '../../transports/sim-pair.js';
import { FramedLink } from '../framed-link.js';
import { type HostMessage, type PaymentResponseBody, parseHostMessage } from '../messages.js';
import { issueAuthorization } from './sim-acquirer-host.js';

/**
 * What the simulated terminal does with a payment; the default approves. Tests and the demo swap it for
 * `decline`, `timeout` (never answers, stays in progress) or `lostResponse` (approves, but the answer is lost
 * on the wire, so only a status query finds it).
 */
export type PaymentBehaviour = 'approve' | 'decline' | 'timeout' | 'lost-response';

export interface TerminalSimulatorOptions {
  /** Time the "resident" takes to tap and enter a PIN. Default 200 ms. */
  readonly processingMs?: number;
  /**
   * Where the terminal keeps its transaction log, like a real terminal's flash: finished transactions
   * survive a restart of the host process, so a status query after a crash still finds an approval.
   * Transactions still in progress when the process died were never approved and are forgotten.
   */
  readonly stateFile?: string;
  /** The key its acquirer host seals authorizations with; defaults to the simulated acquirer's demo key. */
  readonly acquirerKey?: string;
}

type PaymentRequestBody = Extract<HostMessage, { PaymentRequest: unknown }>['PaymentRequest'];

interface Txn {
  response: PaymentResponseBody | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class TerminalSimulator {
  behaviour: PaymentBehaviour = 'approve';
  /** Fault: NAK the next n good frames (line noise), exercising the host's retransmission. */
  nakNext = 0;
  readonly received: HostMessage[] = [];
  readonly #txns = new Map<string, Txn>();
  readonly #opts: TerminalSimulatorOptions;
  #port: DevicePort | undefined;
  #link: FramedLink | undefined;
  #service = 0;

  constructor(opts: TerminalSimulatorOptions = {}) {
    this.#opts = opts;
    if (opts.stateFile) {
      mkdirSync(dirname(opts.stateFile), { recursive: true });
      try {
        const saved = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as Record<string, PaymentResponseBody>;
        for (const [ref, response] of Object.entries(saved))
          this.#txns.set(ref, { response, timer: undefined });
      } catch {
        // No log yet (first start) or an unreadable one: start empty, as a terminal after a reset would.
      }
    }
  }

  /** Writes finished transactions (newest 500) before any answer leaves the terminal. */
  #persist(): void {
    const file = this.#opts.stateFile;
    if (!file) return;
    const done = [...this.#txns].filter(([, t]) => t.response).slice(-500);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(done.map(([r, t]) => [r, t.response]))));
    renameSync(tmp, file);
  }

  attach(port: DevicePort): () => void {
    this.#port = port;
    this.#link = new FramedLink({
      send: (b) => port.send(b),
      onFrame: (body) => this.#onFrame(body),
      onError: () => undefined,
      shouldAck: () => {
        if (this.nakNext <= 0) return true;
        this.nakNext--;
        void port.send(Uint8Array.of(0x15));
        return false;
      },
    });
    return port.onData((c) => this.#link?.push(c));
  }

  /** Fault: bytes that belong to no frame. */
  sendGarbage(bytes: Uint8Array = Uint8Array.of(0x02, 0xff, 0xff, 0x41, 0x00, 0x99)): Promise<void> {
    return this.#port?.send(bytes) ?? Promise.resolve();
  }

  transaction(reference: string): PaymentResponseBody | undefined {
    return this.#txns.get(reference)?.response;
  }

  #onFrame(body: string): void {
    let msg: HostMessage;
    try {
      msg = parseHostMessage(body);
    } catch {
      return; // a real terminal ignores what it cannot parse; the host times out and asks again
    }
    this.received.push(msg);
    if ('PaymentRequest' in msg) this.#startPayment(msg.PaymentRequest);
    else if ('AbortRequest' in msg) this.#abort(msg.AbortRequest.SaleTransactionID);
    else this.#status(msg.TransactionStatusRequest.SaleTransactionID);
  }

  #startPayment(req: PaymentRequestBody): void {
    const ref = req.SaleTransactionID;
    const existing = this.#txns.get(ref);
    if (existing?.response) {
      // Same reference again: idempotent, answer what happened the first time.
      void this.#sendMsg('Payment', { PaymentResponse: existing.response });
      return;
    }
    if (existing) return; // still in progress
    const behaviour = this.behaviour;
    const txn: Txn = { response: undefined, timer: undefined };
    this.#txns.set(ref, txn);
    void this.#sendMsg('Display', {
      DisplayRequest: { SaleTransactionID: ref, Text: '请插卡或挥卡 Insert or tap card' },
    });
    if (behaviour === 'timeout') return;
    const ms = this.#opts.processingMs ?? 200;
    txn.timer = setTimeout(() => {
      void this.#sendMsg('Display', {
        DisplayRequest: { SaleTransactionID: ref, Text: '请输入密码 Enter PIN' },
      });
      txn.response =
        behaviour === 'decline'
          ? {
              SaleTransactionID: ref,
              Result: 'Failure',
              ErrorCondition: 'Refusal',
              AuthorizedAmount: 0,
              MaskedPAN: '622202******1234',
              DeclineReason: '余额不足 Insufficient funds',
              POITransactionID: `poi-${randomInt(1e9)}`,
            }
          : this.#approve(req);
      this.#persist();
      if (behaviour !== 'lost-response') void this.#sendMsg('Payment', { PaymentResponse: txn.response });
    }, ms);
  }

  /** Online to the acquirer host: it authorizes the amount and keeps the record under its reference. */
  #approve(req: PaymentRequestBody): PaymentResponseBody {
    const approval = {
      ApprovalCode: String(randomInt(100000, 999999)),
      POITransactionID: `poi-${randomInt(1e9)}`,
    };
    return {
      SaleTransactionID: req.SaleTransactionID,
      Result: 'Success',
      AuthorizedAmount: req.RequestedAmount,
      ...approval,
      MaskedPAN: '622202******1234',
      PaymentToken: `tok_${randomInt(1e12).toString(36)}`,
      AcquirerTransactionID: issueAuthorization(
        {
          SaleTransactionID: req.SaleTransactionID,
          AuthorizedAmount: req.RequestedAmount,
          Currency: req.Currency,
          ...(req.SaleToAcquirerData !== undefined ? { SaleToAcquirerData: req.SaleToAcquirerData } : {}),
          ...approval,
          TimeStamp: new Date().toISOString(),
        },
        this.#opts.acquirerKey,
      ),
    };
  }

  #abort(ref: string): void {
    const txn = this.#txns.get(ref);
    if (!txn || txn.response) return; // nothing to abort, or too late: the outcome stands
    clearTimeout(txn.timer);
    txn.response = {
      SaleTransactionID: ref,
      Result: 'Failure',
      ErrorCondition: 'Aborted',
      AuthorizedAmount: 0,
    };
    this.#persist();
    void this.#sendMsg('Payment', { PaymentResponse: txn.response });
  }

  #status(ref: string): void {
    const txn = this.#txns.get(ref);
    const body = !txn
      ? { SaleTransactionID: ref, Result: 'Failure', ErrorCondition: 'NotFound' }
      : !txn.response
        ? { SaleTransactionID: ref, Result: 'Failure', ErrorCondition: 'InProgress' }
        : { SaleTransactionID: ref, Result: 'Success', RepeatedResponse: txn.response };
    void this.#sendMsg('TransactionStatus', { TransactionStatusResponse: body });
  }

  async #sendMsg(category: string, body: Record<string, unknown>): Promise<void> {
    const type = category === 'Display' ? 'Notification' : 'Response';
    const msg = {
      MessageHeader: { MessageCategory: category, MessageType: type, ServiceID: String(++this.#service) },
      ...body,
    };
    await this.#link?.send(JSON.stringify(msg)).catch(() => undefined);
  }
}
