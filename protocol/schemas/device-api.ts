import { type Static, Type } from '@sinclair/typebox';
import { Bill } from './bill.js';
import { IdSchema, SignedEnvelope, strict } from './common.js';
import { Payment, TerminalResult } from './payment.js';
import { Receipt } from './receipt.js';

export const BillsResponse = Type.Object({ bills: Type.Array(SignedEnvelope(Bill), { maxItems: 50 }) });
export type BillsResponse = Static<typeof BillsResponse>;

export const PaymentResponse = Type.Object({
  payment: SignedEnvelope(Payment),
  receipt: Type.Optional(SignedEnvelope(Receipt)),
});
export type PaymentResponse = Static<typeof PaymentResponse>;

export const AuthorizePaymentRequest = Type.Object({ terminal: TerminalResult }, strict);
export type AuthorizePaymentRequest = Static<typeof AuthorizePaymentRequest>;

export const PaymentIdParams = Type.Object({ id: IdSchema('pay') }, strict);
export type PaymentIdParams = Static<typeof PaymentIdParams>;
