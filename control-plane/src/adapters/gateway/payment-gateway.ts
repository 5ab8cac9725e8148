/** What the acquirer confirmed for a capture. */
export interface Capture {
  paymentId: string;
  captureId: string;
  amountFen: number;
  capturedAt: number;
}

/** One line of an acquirer's (or wallet's) statement: a money movement for one payment. */
export interface StatementEntry {
  paymentId: string;
  op: 'capture' | 'void' | 'refund';
  reference: string;
  amountFen: number;
  at: number;
}

/**
 * The acquirer behind the kiosks' payment terminals. The terminal authorizes; the control plane captures
 * once the biller has taken the payment, voids the authorization when the biller refuses it, and refunds
 * captured payments when an admin asks. All are idempotent (by payment id, or refund id). Failures throw
 * LINLI_ERR_GATEWAY_ERROR; a thrown capture may still have happened (lost answer), so retry, never guess.
 */
export interface PaymentGateway {
  capture(paymentId: string, cardToken: string, amountFen: number): Promise<Capture>;
  void(paymentId: string): Promise<void>;
  refund(paymentId: string, refundId: string, amountFen: number): Promise<{ reference: string }>;
  /** The acquirer's statement for [from, to) (epoch ms), for reconciliation. */
  statement(from: number, to: number): Promise<StatementEntry[]>;
}
