import type { Capture, StatementEntry } from '../gateway/payment-gateway.js';

/** Order states as native-QR wallet APIs report them (trade_state). */
export type WalletTradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REVOKED' | 'REFUND';

export interface WalletOrder {
  orderId: string;
  /** Our payment id: the merchant's order number, unique per order, so creating twice gives one order. */
  outTradeNo: string;
  amountFen: number;
  state: WalletTradeState;
  /** The wallet's transaction id once paid. */
  transactionId: string | null;
  /** What the kiosk shows as a QR code (native pay "code_url"). */
  codeUrl: string;
  expiresAt: number;
  paidAt: number | null;
}

export interface CreateWalletOrder {
  outTradeNo: string;
  amountFen: number;
  /** What the payer sees in the wallet, e.g. "阳光社区 电费 2026-10". */
  description: string;
  /** Where the provider sends signed asynchronous notifications. */
  notifyUrl: string;
  expiresAt: number;
}

/** A verified notification: it only says "look at this order"; the order query says what happened. */
export interface WalletNotification {
  eventId: string;
  eventType: string;
  createdAt: number;
  outTradeNo: string;
  orderId: string;
}

/**
 * A QR wallet provider with the shape of the public native-QR APIs: create an order and get a code URL, the
 * payer scans and pays in the wallet, the provider sends a signed asynchronous notification (at least once,
 * maybe duplicated, maybe out of order), the merchant confirms with an order query. Money then moves like a
 * card authorization: `settle` captures it, `reverse` returns an unsettled payment, `refund` a settled one.
 * Transient failures throw LINLI_ERR_WALLET_ERROR: retry with the same out_trade_no, never guess.
 */
export interface WalletProvider {
  readonly name: string;
  /** Idempotent by outTradeNo: a second call returns the first order. */
  createOrder(req: CreateWalletOrder): Promise<WalletOrder>;
  queryOrder(outTradeNo: string): Promise<WalletOrder | null>;
  /** Closes an unpaid order; returns the order as it stands (still SUCCESS if the payer was faster). */
  closeOrder(outTradeNo: string): Promise<WalletOrder>;
  settle(outTradeNo: string, amountFen: number): Promise<Capture>;
  reverse(outTradeNo: string): Promise<void>;
  refund(outTradeNo: string, refundId: string, amountFen: number): Promise<{ reference: string }>;
  /**
   * Checks a notification's signature and freshness; throws LINLI_ERR_WEBHOOK_SIGNATURE (forged or
   * tampered), LINLI_ERR_WEBHOOK_STALE (an old event replayed) or LINLI_ERR_BAD_REQUEST (malformed).
   */
  verifyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
    now: number,
  ): WalletNotification;
  statement(from: number, to: number): Promise<StatementEntry[]>;
}
