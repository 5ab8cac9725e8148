import { signCanonical, signEnvelope } from '../../../../protocol/envelope.js';
import type { SigningKey } from '../../../../protocol/keys.js';
import type { Bill } from '../../../../protocol/schemas/bill.js';
import type { Signed } from '../../../../protocol/schemas/common.js';
import type { Payment } from '../../../../protocol/schemas/payment.js';
import type { Receipt } from '../../../../protocol/schemas/receipt.js';
import type { PaymentRecord } from '../../storage/records.js';
import { iso } from '../context.js';
import { issuesTerminalRequest, saleToAcquirerData } from './terminal-request.js';

/** Length of the `s` tag in a receipt's verification URL: 22 base64url characters = 132 bits. */
export const RECEIPT_TAG_LENGTH = 22;

export function paymentPayload(p: PaymentRecord): Payment {
  return {
    type: 'linli.payment/v1',
    id: p.id,
    idempotencyKey: p.idempotencyKey,
    deviceId: p.deviceId,
    billId: p.billId,
    billerId: p.billerId,
    accountMasked: p.accountMasked,
    amountFen: p.amountFen,
    method: p.method,
    state: p.state,
    ...(p.authCode !== null ? { authCode: p.authCode } : {}),
    ...(p.maskedCard !== null ? { maskedCard: p.maskedCard } : {}),
    ...(p.receiptId !== null ? { receiptId: p.receiptId } : {}),
    ...(p.qrCodeUrl !== null && p.qrExpiresAt !== null
      ? { qr: { codeUrl: p.qrCodeUrl, expiresAt: iso(p.qrExpiresAt) } }
      : {}),
    ...(p.refundedFen > 0 ? { refundedFen: p.refundedFen } : {}),
    ...(p.reason !== null ? { reason: p.reason } : {}),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

/** The payment as the kiosk sees it, with the terminal request once the kiosk may ask the terminal. */
export function signPayment(p: PaymentRecord, key: SigningKey): Signed<Payment> {
  const payload = paymentPayload(p);
  if (issuesTerminalRequest(p)) payload.saleToAcquirerData = saleToAcquirerData(p, key);
  return signEnvelope(payload, key);
}

export interface ReceiptInput {
  receiptId: string;
  payment: PaymentRecord;
  bill: Bill;
  communityName: string;
  paidAt: number;
  publicUrl: string;
}

/**
 * Signs a receipt. Its QR opens `verifyUrl`, which carries `s`, a tag only the transaction key can make: the
 * first 22 characters of its signature over the receipt without the URL (a signature cannot cover itself).
 * The envelope signature then covers the URL and the tag, so a printed QR can be checked against the record.
 */
export function signReceipt(input: ReceiptInput, key: SigningKey): Signed<Receipt> {
  const { payment: p, bill } = input;
  const base = {
    type: 'linli.receipt/v1' as const,
    id: input.receiptId,
    paymentId: p.id,
    deviceId: p.deviceId,
    communityName: input.communityName.slice(0, 100),
    billerId: p.billerId,
    billerName: bill.billerName,
    accountMasked: p.accountMasked,
    period: bill.period,
    amountFen: p.amountFen,
    method: p.method,
    ...(p.authCode !== null ? { authCode: p.authCode } : {}),
    ...(p.maskedCard !== null ? { maskedCard: p.maskedCard } : {}),
    paidAt: iso(input.paidAt),
  };
  const tag = signCanonical(base, key.privateKey).slice(0, RECEIPT_TAG_LENGTH);
  const verifyUrl = `${input.publicUrl}/r/${encodeURIComponent(input.receiptId)}?s=${tag}`;
  return signEnvelope<Receipt>({ ...base, verifyUrl }, key);
}

/** The `s` tag a receipt's own verifyUrl carries (covered by the receipt's signature). */
export function receiptTag(receipt: Receipt): string | null {
  try {
    return new URL(receipt.verifyUrl).searchParams.get('s');
  } catch {
    return null;
  }
}
