/** What the acquirer confirmed for a capture. */
export interface Capture {
  paymentId: string;
  captureId: string;
  amountFen: number;
  capturedAt: number;
}

/**
 * An authorization as the acquirer's host recorded it (nexo names in the comments). This, not the kiosk's
 * report of the terminal's answer, is what the control plane acts on.
 */
export interface AcquirerAuthorization {
  /** `AcquirerTransactionID`: what capture, void and refund refer to. */
  acquirerTransactionId: string;
  /** `SaleTransactionID`: the payment id the terminal was given. */
  saleTransactionId: string;
  /** `AuthorizedAmount`, in fen. */
  amountFen: number;
  currency: string;
  /** `SaleToAcquirerData` as the terminal forwarded it: the control plane's terminal request. */
  saleToAcquirerData: string | null;
  /** `ApprovalCode`. */
  approvalCode: string | null;
  /** `POITransactionID`: the terminal's own transaction id. */
  poiTransactionId: string | null;
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
 * The acquirer behind the kiosks' payment terminals. The terminal authorizes; the control plane looks the
 * authorization up before it acts on it, captures once the biller has taken the payment, voids the
 * authorization when the biller refuses it, and refunds captured payments when an admin asks. All are
 * idempotent (by payment id, or refund id). Failures throw LINLI_ERR_GATEWAY_ERROR; a thrown capture may
 * still have happened (lost answer), so retry, never guess.
 */
export interface PaymentGateway {
  /**
   * The acquirer's own record of an authorization, by its reference; undefined when the acquirer has none
   * (a made-up reference). Throws LINLI_ERR_GATEWAY_ERROR when the acquirer cannot be asked now.
   */
  lookupAuthorization(acquirerTransactionId: string): Promise<AcquirerAuthorization | undefined>;
  /** Captures the authorization `acquirerTransactionId`; refused unless it is this payment's, for this amount. */
  capture(paymentId: string, acquirerTransactionId: string, amountFen: number): Promise<Capture>;
  void(paymentId: string): Promise<void>;
  refund(paymentId: string, refundId: string, amountFen: number): Promise<{ reference: string }>;
  /** The acquirer's statement for [from, to) (epoch ms), for reconciliation. */
  statement(from: number, to: number): Promise<StatementEntry[]>;
}
