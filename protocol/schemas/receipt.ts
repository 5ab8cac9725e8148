import { type Static, Type } from '@sinclair/typebox';
import { BillerId } from './bill.js';
import { I18nText, IdSchema, IsoTime, PositiveFen, strict } from './common.js';
import { PaymentMethod } from './payment.js';

/** A receipt, signed by the transaction key; its QR opens `verifyUrl` on the control plane. */
export const Receipt = Type.Object(
  {
    type: Type.Literal('linli.receipt/v1'),
    id: IdSchema('rcpt'),
    paymentId: IdSchema('pay'),
    deviceId: IdSchema('dev'),
    communityName: Type.String({ maxLength: 100 }),
    billerId: BillerId,
    billerName: I18nText(64),
    accountMasked: Type.String({ maxLength: 40 }),
    period: Type.String({ maxLength: 32 }),
    amountFen: PositiveFen,
    method: PaymentMethod,
    authCode: Type.Optional(Type.String()),
    maskedCard: Type.Optional(Type.String()),
    paidAt: IsoTime,
    verifyUrl: Type.String({ maxLength: 512 }),
  },
  strict,
);
export type Receipt = Static<typeof Receipt>;
