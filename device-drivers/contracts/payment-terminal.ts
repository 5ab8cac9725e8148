import type { DeviceEvents, PosDevice } from './device.js';

/**
 * A certified payment terminal, nexo-like: the terminal reads the card and the PIN; the host sends an amount
 * and a reference and gets back an outcome, never a card number.
 */
export interface TerminalPaymentRequest {
  readonly amountFen: number;
  readonly currency: 'CNY';
  /** The host's reference (nexo SaleTransactionID: the payment id); the status query uses it after a lost response. */
  readonly reference: string;
  /**
   * nexo SaleToAcquirerData: opaque data from the sale system's back end, forwarded by the terminal to the
   * acquirer with the authorization (Linli: the control plane's terminal request, which binds the approval).
   */
  readonly saleToAcquirerData?: string;
  /** Defaults to the terminal's own processing timeout (120 s class). */
  readonly timeoutMs?: number;
}

/** `unknown` means "no answer in time": the payment may still complete; resolve it with `queryStatus`. */
export type TerminalOutcome = 'approved' | 'declined' | 'aborted' | 'unknown';

export interface TerminalPaymentResult {
  readonly outcome: TerminalOutcome;
  readonly reference: string;
  readonly amountFen: number;
  readonly authCode?: string;
  /** e.g. `622202******1234`; never the full number. */
  readonly maskedCard?: string;
  /** nexo PaymentToken: a card token, informational; money moves on `acquirerTransactionId`. */
  readonly cardToken?: string;
  /** nexo POITransactionID: the terminal's own transaction id. */
  readonly terminalTxnId?: string;
  /**
   * nexo AcquirerTransactionID: the acquirer host's reference of the authorization, which the control plane
   * looks up at the acquirer before acting on an approval. Passed on unchanged.
   */
  readonly acquirerTransactionId?: string;
  readonly declineReason?: string;
}

export interface PaymentTerminalEvents extends DeviceEvents {
  /** Prompts to show the resident while the terminal works ("insert card", "enter PIN"). */
  prompt: [{ readonly reference: string; readonly message: string }];
}

export interface PaymentTerminal extends PosDevice<PaymentTerminalEvents> {
  pay(request: TerminalPaymentRequest): Promise<TerminalPaymentResult>;
  /** Asks the terminal to abort a payment in progress; harmless if it already finished. */
  abort(reference: string): Promise<void>;
  /** Transaction status for a reference: the answer for a lost response. `not_found` if the terminal never saw it. */
  queryStatus(
    reference: string,
  ): Promise<TerminalPaymentResult | { readonly outcome: 'not_found'; readonly reference: string }>;
}
