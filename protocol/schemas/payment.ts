import { type Static, Type } from '@sinclair/typebox';
import { BillerId } from './bill.js';
import { Fen, IdSchema, IsoTime, PositiveFen, strict } from './common.js';

/**
 * created → presented → authorized → posted → captured → receipted → closed; canceled; unknown (resolved only
 * by a status query); voided when posting fails after authorization; refund_pending → refunded.
 */
export const PaymentState = Type.Union([
  Type.Literal('created'),
  Type.Literal('presented'),
  Type.Literal('authorized'),
  Type.Literal('posted'),
  Type.Literal('captured'),
  Type.Literal('receipted'),
  Type.Literal('closed'),
  Type.Literal('canceled'),
  Type.Literal('unknown'),
  Type.Literal('voided'),
  Type.Literal('refund_pending'),
  Type.Literal('refunded'),
]);
export type PaymentState = Static<typeof PaymentState>;

export const PaymentMethod = Type.Union([Type.Literal('terminal'), Type.Literal('qr')]);
export type PaymentMethod = Static<typeof PaymentMethod>;

/** Idempotency keys are made by the kiosk and journaled before the first request. */
export const IdempotencyKey = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });

export const CreatePaymentRequest = Type.Object(
  { billId: IdSchema('bill'), amountFen: PositiveFen, method: PaymentMethod },
  strict,
);
export type CreatePaymentRequest = Static<typeof CreatePaymentRequest>;

/**
 * The terminal's word on a terminal request (nexo: `SaleToAcquirerData`): opaque to the kiosk, passed
 * unchanged to the terminal, which forwards it to the acquirer with the authorization. The control plane
 * derives it from the payment, so an authorization the acquirer confirms with it was made for this request.
 */
export const SaleToAcquirerData = Type.String({ pattern: '^[A-Za-z0-9_-]{16,128}$' });

/**
 * The acquirer's reference of an authorization (nexo: `PaymentAcquirerData.AcquirerTransactionID`). The
 * control plane looks it up at the acquirer and acts only on what the acquirer confirms.
 */
export const AcquirerTransactionId = Type.String({ pattern: '^[\\x21-\\x7e]{1,512}$' });

/**
 * What the certified terminal reported: never a card number, only a masked PAN and references. Only
 * `outcome`, `reference` and `amountFen` are the device's claim; an approval moves money only once the
 * acquirer confirms `acquirerTransactionId` for this payment id, amount and terminal request. `cardToken`
 * (nexo `PaymentToken`) is kept for old journals and is never used to capture.
 */
export const TerminalResult = Type.Object(
  {
    outcome: Type.Union([Type.Literal('approved'), Type.Literal('declined'), Type.Literal('aborted')]),
    amountFen: PositiveFen,
    /** nexo `SaleTransactionID`: the payment id. */
    reference: Type.String({ maxLength: 64 }),
    authCode: Type.Optional(Type.String({ pattern: '^[0-9A-Z]{6}$' })),
    maskedCard: Type.Optional(Type.String({ pattern: '^[0-9*]{8,19}$' })),
    cardToken: Type.Optional(Type.String({ maxLength: 128 })),
    /** nexo `POITransactionID`. */
    terminalTxnId: Type.Optional(Type.String({ maxLength: 64 })),
    acquirerTransactionId: Type.Optional(AcquirerTransactionId),
  },
  strict,
);
export type TerminalResult = Static<typeof TerminalResult>;

export const Payment = Type.Object(
  {
    type: Type.Literal('linli.payment/v1'),
    id: IdSchema('pay'),
    idempotencyKey: IdempotencyKey,
    deviceId: IdSchema('dev'),
    billId: IdSchema('bill'),
    billerId: BillerId,
    accountMasked: Type.String({ maxLength: 40 }),
    amountFen: PositiveFen,
    method: PaymentMethod,
    state: PaymentState,
    authCode: Type.Optional(Type.String()),
    maskedCard: Type.Optional(Type.String()),
    receiptId: Type.Optional(IdSchema('rcpt')),
    /** Terminal payments from `presented` on: hand it to the terminal with the amount, unchanged. */
    saleToAcquirerData: Type.Optional(SaleToAcquirerData),
    /** QR payments: the wallet's code URL the kiosk shows as a QR code, and when the order lapses. */
    qr: Type.Optional(Type.Object({ codeUrl: Type.String({ maxLength: 512 }), expiresAt: IsoTime }, strict)),
    /** Refunded so far (partial refunds add up to at most amountFen). */
    refundedFen: Type.Optional(Fen),
    /** Why the payment was canceled or voided, in words for staff (e.g. the biller's refusal). */
    reason: Type.Optional(Type.String({ maxLength: 200 })),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  strict,
);
export type Payment = Static<typeof Payment>;

/** `POST .../unknown`: the kiosk lost the terminal's answer; the payment waits for a status query. */
export const ReportUnknownRequest = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 200 }) },
  strict,
);
export type ReportUnknownRequest = Static<typeof ReportUnknownRequest>;

/** States in which a payment is over for the kiosk: nothing more will happen unless an admin refunds it. */
export const TERMINAL_PAYMENT_STATES: readonly PaymentState[] = ['closed', 'canceled', 'voided', 'refunded'];
