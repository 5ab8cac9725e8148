import type { BillerId } from '../../../protocol/schemas/bill.js';

/** What the simulated biller, acquirer and wallet provider remember (their own books, not ours). */

export interface SimPostingRecord {
  paymentId: string;
  postingId: string;
  billerId: BillerId;
  account: string;
  billRef: string;
  amountFen: number;
  postedAt: number;
}

export type SimGatewayOp = 'capture' | 'void';

export interface SimGatewayEntry {
  paymentId: string;
  op: SimGatewayOp;
  reference: string;
  cardToken: string | null;
  amountFen: number;
  at: number;
}

export type SimWalletStatus = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REVOKED' | 'REFUND';

/** The simulated wallet provider's own order book (what the provider would hold, not us). */
export interface SimWalletOrder {
  orderId: string;
  outTradeNo: string;
  amountFen: number;
  description: string;
  notifyUrl: string;
  status: SimWalletStatus;
  transactionId: string | null;
  settled: boolean;
  refundedFen: number;
  createdAt: number;
  expiresAt: number;
  paidAt: number | null;
}

export interface SimOutboxRecord {
  eventId: string;
  orderId: string;
  body: string;
  attempts: number;
  nextAt: number;
  deliveredAt: number | null;
}

export interface SimRefundRecord {
  refundId: string;
  paymentId: string;
  rail: 'card' | 'wallet';
  amountFen: number;
  at: number;
}
