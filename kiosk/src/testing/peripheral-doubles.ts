import { EventEmitter } from 'node:events';
import type { DeviceInfo, DeviceState, PowerState } from '../../../device-drivers/contracts/device.js';
import { DeviceError, DeviceErrorCode } from '../../../device-drivers/contracts/device-error.js';
import type {
  PaymentTerminal,
  TerminalPaymentRequest,
  TerminalPaymentResult,
} from '../../../device-drivers/contracts/payment-terminal.js';
import type {
  PrinterStatusFlags,
  PrintResult,
  ReceiptJob,
  ReceiptPrinter,
} from '../../../device-drivers/contracts/receipt-printer.js';

/** Lifecycle boilerplate shared by the doubles below (unit tests of the payment flow only). */
class DoubleDevice extends EventEmitter {
  state: DeviceState = 'idle';
  power: PowerState = 'online';
  constructor(readonly info: DeviceInfo) {
    super();
  }
  async open(): Promise<void> {}
  async claim(): Promise<void> {}
  async enable(): Promise<void> {}
  async disable(): Promise<void> {}
  async release(): Promise<void> {}
  async close(): Promise<void> {}
}

export type TerminalBehaviour = 'approve' | 'decline' | 'lost-answer' | 'offline';

/**
 * A payment terminal that keeps its own ledger of charges per reference, like a real one: `pay` charges
 * once per reference, `queryStatus` reports what happened. Behaviours model a decline, an answer lost after
 * the charge, and a terminal that never saw the request.
 */
export class TerminalDouble extends DoubleDevice implements PaymentTerminal {
  behaviour: TerminalBehaviour = 'approve';
  readonly charges = new Map<string, TerminalPaymentResult>();
  /** What the terminal was asked, in order (amount, reference, the control plane's terminal request). */
  readonly requests: TerminalPaymentRequest[] = [];
  payCalls = 0;
  /** Off: approvals come without the acquirer's reference (the control plane must refuse them). */
  acquirerReference = true;

  constructor() {
    super({ name: 'terminal-double', kind: 'payment-terminal', address: 'sim:terminal-double' });
  }

  async pay(req: TerminalPaymentRequest): Promise<TerminalPaymentResult> {
    this.payCalls++;
    this.requests.push(req);
    if (this.behaviour === 'offline') throw new DeviceError(DeviceErrorCode.OFFLINE, 'terminal offline');
    const result: TerminalPaymentResult =
      this.behaviour === 'decline'
        ? { outcome: 'declined', reference: req.reference, amountFen: req.amountFen, declineReason: '51' }
        : {
            outcome: 'approved',
            reference: req.reference,
            amountFen: req.amountFen,
            authCode: 'A1B2C3',
            maskedCard: '622202******1234',
            terminalTxnId: `T${this.charges.size + 1}`,
            ...(this.acquirerReference
              ? { acquirerTransactionId: `ACQ-${req.reference}-${req.saleToAcquirerData ?? 'none'}` }
              : {}),
          };
    this.charges.set(req.reference, result);
    if (this.behaviour === 'lost-answer')
      throw new DeviceError(DeviceErrorCode.TIMEOUT, 'no answer from terminal');
    return result;
  }

  async abort(): Promise<void> {}

  async queryStatus(reference: string) {
    if (this.behaviour === 'offline') throw new DeviceError(DeviceErrorCode.OFFLINE, 'terminal offline');
    return this.charges.get(reference) ?? { outcome: 'not_found' as const, reference };
  }
}

/** A printer that keeps the jobs it was given (documents, not bytes) and can run out of paper. */
export class PrinterDouble extends DoubleDevice implements ReceiptPrinter {
  readonly columns = 48;
  readonly jobs: ReceiptJob[] = [];
  paperOut = false;

  constructor() {
    super({ name: 'printer-double', kind: 'receipt-printer', address: 'sim:printer-double' });
  }

  async print(job: ReceiptJob): Promise<PrintResult> {
    if (this.paperOut) throw new DeviceError(DeviceErrorCode.PAPER_OUT, 'paper out');
    this.jobs.push(job);
    return { jobId: job.id, outcome: 'printed', bytes: 1000 };
  }

  async queryStatus(): Promise<PrinterStatusFlags> {
    return { online: true, coverOpen: false, paperOut: this.paperOut, paperNearEnd: false, error: false };
  }
}
