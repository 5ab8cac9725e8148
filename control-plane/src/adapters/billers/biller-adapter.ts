import type { BillerId } from '../../../../protocol/schemas/bill.js';
import type { I18nText } from '../../../../protocol/schemas/common.js';

/** An open bill as the biller reports it, before the control plane signs it for a device. */
export interface OpenBill {
  /** The biller's own id for this bill: a bill is settled by at most one posting. */
  billRef: string;
  billerId: BillerId;
  account: string;
  holderName: string;
  period: string;
  amountFen: number;
  dueDate: string;
}

/** Who an account belongs to and where it is served. */
export interface AccountInfo {
  billerId: BillerId;
  account: string;
  holderName: string;
  /**
   * The service address as administrative names below the city, e.g. ['和平区', '幸福街道', '阳光社区'].
   * The control plane serves an account only at kiosks of the community this path names.
   */
  serviceArea: readonly string[];
}

export type PostingResult =
  | { status: 'posted'; postingId: string; postedAt: number }
  | {
      status: 'rejected';
      /** Definitive: posting again will not help, so the authorization must be voided. */
      reason: 'already_paid' | 'account_closed' | 'amount_mismatch' | 'unknown_bill' | 'refused';
      message: string;
    };

export interface Posting {
  paymentId: string;
  postingId: string;
  billRef: string;
  amountFen: number;
  postedAt: number;
}

/**
 * A utility or property-fee biller. Transient failures (biller down, timeout, an answer lost on the way)
 * throw LINLI_ERR_BILLER_UNAVAILABLE; a definitive refusal is a `rejected` result.
 */
export interface BillerAdapter {
  readonly billerIds: readonly BillerId[];
  name(billerId: BillerId): I18nText;
  /** Throws LINLI_ERR_BILLER_UNKNOWN or LINLI_ERR_ACCOUNT_NOT_FOUND. */
  lookupAccount(billerId: BillerId, account: string): Promise<AccountInfo>;
  /** Throws LINLI_ERR_BILLER_UNKNOWN or LINLI_ERR_ACCOUNT_NOT_FOUND. An account with nothing due gives []. */
  lookupOpenBills(billerId: BillerId, account: string): Promise<OpenBill[]>;
  /** Idempotent by payment id: posting the same payment again returns the first posting. */
  postPayment(
    paymentId: string,
    bill: Pick<OpenBill, 'billerId' | 'account' | 'billRef'>,
    amountFen: number,
  ): Promise<PostingResult>;
  /** What the biller recorded for a payment, to resolve a lost answer. */
  queryPosting(paymentId: string): Promise<Posting | null>;
  /** The biller's statement: every posting made in [from, to) (epoch ms), for reconciliation. */
  listPostings(from: number, to: number): Promise<Posting[]>;
}
