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
    verifyUrl: Type.String({
      maxLength: 512,
      description:
        "what the receipt QR encodes, as is: `<publicUrl>/r/<id>?s=<tag>`, where the tag is the first 22 characters of the transaction key's signature over this receipt without verifyUrl",
    }),
  },
  strict,
);
export type Receipt = Static<typeof Receipt>;

/** `POST /api/v1/receipts/verify`: anyone may ask whether a full signed receipt is genuine. */
export const ReceiptVerifyRequest = Type.Object({ envelope: Type.Unknown() }, strict);
export type ReceiptVerifyRequest = Static<typeof ReceiptVerifyRequest>;

export const ReceiptVerifyResponse = Type.Object({
  valid: Type.Boolean(),
  /** Why, in words a resident can read (English; the receipt page also says it in Chinese). */
  reason: Type.String(),
  /** The LINLI_ERR code when the receipt is not valid. */
  code: Type.Optional(Type.String({ pattern: '^LINLI_ERR_[A-Z_]+$' })),
  receipt: Type.Optional(Receipt),
});
export type ReceiptVerifyResponse = Static<typeof ReceiptVerifyResponse>;
