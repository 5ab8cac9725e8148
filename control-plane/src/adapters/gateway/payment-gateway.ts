/** What the acquirer confirmed for a capture. */
export interface Capture {
  paymentId: string;
  captureId: string;
  amountFen: number;
  capturedAt: number;
}

/**
 * The acquirer behind the kiosks' payment terminals. The terminal authorizes; the control plane captures
 * once the biller has taken the payment, or voids the authorization when the biller refuses it. Both are
 * idempotent by payment id. Failures throw LINLI_ERR_GATEWAY_ERROR.
 */
export interface PaymentGateway {
  capture(paymentId: string, cardToken: string, amountFen: number): Promise<Capture>;
  void(paymentId: string): Promise<void>;
}
