import type { PaymentTerminal } from '../../../device-drivers/contracts/payment-terminal.js';
import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import type { PaymentResponse } from '../../../protocol/schemas/device-api.js';
import type { Payment } from '../../../protocol/schemas/payment.js';
import type { DeviceApiClient } from '../api-client.js';
import type { Trust } from '../identity/trust.js';
import type { Logger } from '../logger.js';
import type { JournalEntry, PaymentJournal } from './payment-journal.js';
import type { ReceiptLines } from './receipt-document.js';

export type PaymentApi = Pick<
  DeviceApiClient,
  | 'createPayment'
  | 'getPayment'
  | 'presentPayment'
  | 'authorizePayment'
  | 'closePayment'
  | 'cancelPayment'
  | 'reportUnknown'
>;

export interface PaymentFlowOptions {
  api: PaymentApi;
  trust: Pick<Trust, 'keyring'>;
  journal: PaymentJournal;
  terminal: PaymentTerminal;
  printer: ReceiptPrinter;
  deviceId: string;
  /** The community's IANA zone, for the printed time. */
  timeZone: string;
  log: Logger;
  /** The terminal's processing timeout (120 s class): no answer by then is `unknown`, not a failure. */
  terminalTimeoutMs: number;
  /** How long a QR code is shown before the kiosk closes the order (the wallet order expires too). */
  qrTimeoutMs?: number;
  /** How often a shown QR payment is polled at the control plane. */
  statusPollMs?: number;
  /** Pause between terminal status queries after a lost answer (grows linearly). */
  statusRetryDelayMs?: number;
  newKey?: () => string;
  /** The receipt's header and footer lines in effect now (remote settings). */
  receiptLines?: () => ReceiptLines;
}

/** 'live': a resident stands at the kiosk. 'resume': after a restart; nobody is there to present a card. */
export type Mode = 'live' | 'resume';

/** What the step modules need from the flow. */
export interface FlowContext {
  readonly o: PaymentFlowOptions;
  entry(key: string): JournalEntry;
  /** Verifies the control plane's signed answer and journals where it says the payment stands. */
  apply(e: JournalEntry, res: PaymentResponse): Promise<JournalEntry>;
  verify(e: JournalEntry, envelope: unknown): Payment;
  cancelRequested(key: string): boolean;
  /** Resolves when the resident asks to cancel `key` (or never). */
  whenCanceled(key: string): Promise<void>;
  prompt(key: string, message: string): void;
}
