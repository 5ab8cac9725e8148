import type {
  SimGatewayEntry,
  SimGatewayOp,
  SimOutboxRecord,
  SimPostingRecord,
  SimRefundRecord,
  SimWalletOrder,
} from './sim-records.js';

/**
 * What the simulated biller, acquirer and wallet provider remember, in their own store (never the
 * control plane's): they stand for other companies' systems. Tests and the chaos harness count what a biller
 * or acquirer would have seen here.
 */
export interface SimStore {
  findPosting(paymentId: string): Promise<SimPostingRecord | undefined>;
  findPostingByBillRef(billRef: string): Promise<SimPostingRecord | undefined>;
  /** Inserts unless the payment or the bill already has a posting; returns the posting that stands. */
  insertPosting(posting: SimPostingRecord): Promise<SimPostingRecord>;
  listPostedBillRefs(billRefs: readonly string[]): Promise<string[]>;
  gatewayEntries(paymentId: string, op?: SimGatewayOp): Promise<SimGatewayEntry[]>;
  /** Inserts unless an entry with this payment and op exists; returns the one that stands. */
  insertGatewayEntry(entry: SimGatewayEntry): Promise<SimGatewayEntry>;
  /** Postings made in [from, to): the biller's statement for a day. */
  listPostings(from: number, to: number): Promise<SimPostingRecord[]>;
  /** Captures and voids made in [from, to): the acquirer's statement for a day. */
  listGatewayEntries(from: number, to: number): Promise<SimGatewayEntry[]>;
  /** Inserts a refund unless its id exists; returns the one that stands. */
  insertRefund(r: SimRefundRecord): Promise<SimRefundRecord>;
  refundsFor(paymentId: string): Promise<SimRefundRecord[]>;
  readonly wallet: SimWalletLedger;
  close(): Promise<void>;
}

/** The simulated wallet provider's order book and notification outbox. */
export interface SimWalletLedger {
  /** Inserts unless an order with this out_trade_no exists; returns the one that stands. */
  createOrder(o: SimWalletOrder): Promise<SimWalletOrder>;
  getOrder(orderId: string): Promise<SimWalletOrder | undefined>;
  findByOutTradeNo(outTradeNo: string): Promise<SimWalletOrder | undefined>;
  /** Compare-and-set on status; also applies the other fields. Returns the order as it stands after. */
  updateOrder(
    orderId: string,
    from: readonly SimWalletOrder['status'][],
    patch: Partial<SimWalletOrder>,
  ): Promise<{ changed: boolean; order: SimWalletOrder | undefined }>;
  enqueue(r: SimOutboxRecord): Promise<void>;
  due(now: number, limit: number): Promise<SimOutboxRecord[]>;
  markAttempt(eventId: string, nextAt: number, deliveredAt: number | null): Promise<void>;
  /**
   * The provider's notification signing key (PKCS#8 PEM): stores `candidate` unless a key exists and returns
   * the one that stands, so instances sharing the store sign with one key and a restart keeps it.
   */
  signingKey(candidate: string): Promise<string>;
}
