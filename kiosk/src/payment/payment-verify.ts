import { type Keyring, verifyEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { Bill } from '../../../protocol/schemas/bill.js';
import { Payment } from '../../../protocol/schemas/payment.js';
import { Receipt } from '../../../protocol/schemas/receipt.js';

/**
 * Checks on what the control plane signed, beyond the signature: a correctly signed bill, payment or
 * receipt that belongs to another device, bill, amount or key is refused too, so a valid envelope cannot
 * be replayed into the wrong place.
 */
export function verifyBill(envelope: unknown, keyring: Keyring, deviceId: string, now = new Date()): Bill {
  const bill = verifyEnvelope<Bill>(envelope, keyring, { type: 'linli.bill/v1', schema: Bill });
  if (bill.deviceId !== deviceId) {
    throw new LinliError(ErrorCode.FORBIDDEN, 'this bill was issued to another device; look it up again', {
      billId: bill.id,
    });
  }
  if (Date.parse(bill.expiresAt) <= now.getTime()) {
    throw new LinliError(ErrorCode.BILL_EXPIRED, 'this bill quote has expired; look the bill up again', {
      billId: bill.id,
    });
  }
  return bill;
}

export interface PaymentExpectation {
  key: string;
  billId: string;
  amountFen: number;
  deviceId: string;
  paymentId?: string;
}

export function verifyPayment(envelope: unknown, keyring: Keyring, want: PaymentExpectation): Payment {
  const p = verifyEnvelope<Payment>(envelope, keyring, { type: 'linli.payment/v1', schema: Payment });
  mustEqual('idempotencyKey', p.idempotencyKey, want.key);
  mustEqual('billId', p.billId, want.billId);
  mustEqual('deviceId', p.deviceId, want.deviceId);
  if (want.paymentId) mustEqual('id', p.id, want.paymentId);
  if (p.amountFen !== want.amountFen) {
    throw new LinliError(
      ErrorCode.AMOUNT_MISMATCH,
      `the signed payment is for ${p.amountFen} fen, not the ${want.amountFen} fen the resident agreed to; stopped`,
      { got: p.amountFen, expected: want.amountFen },
    );
  }
  return p;
}

export function verifyReceipt(envelope: unknown, keyring: Keyring, payment: Payment): Receipt {
  const r = verifyEnvelope<Receipt>(envelope, keyring, { type: 'linli.receipt/v1', schema: Receipt });
  mustEqual('paymentId', r.paymentId, payment.id);
  mustEqual('deviceId', r.deviceId, payment.deviceId);
  mustEqual('billerId', r.billerId, payment.billerId);
  if (r.amountFen !== payment.amountFen) {
    throw new LinliError(ErrorCode.AMOUNT_MISMATCH, 'the signed receipt amount differs from the payment', {
      got: r.amountFen,
      expected: payment.amountFen,
    });
  }
  return r;
}

function mustEqual(field: string, got: string, expected: string): void {
  if (got !== expected) {
    throw new LinliError(
      ErrorCode.CONFLICT,
      `the control plane's signed answer has ${field}=${got}, expected ${expected}; refused`,
      { field, got, expected },
    );
  }
}
