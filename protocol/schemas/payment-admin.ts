import { type Static, Type } from '@sinclair/typebox';
import { BillerId } from './bill.js';
import { Fen, IdSchema, IsoTime, PositiveFen, SignedEnvelope, strict } from './common.js';
import { PaymentMethod, PaymentState } from './payment.js';
import { Receipt } from './receipt.js';

export const DateOnly = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'a calendar day, YYYY-MM-DD, in the community time zone',
});

export const PaymentListQuery = Type.Object(
  {
    nodeId: Type.Optional(IdSchema('node')),
    date: Type.Optional(DateOnly),
    state: Type.Optional(PaymentState),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  strict,
);
export type PaymentListQuery = Static<typeof PaymentListQuery>;

export const RefundState = Type.Union([Type.Literal('pending'), Type.Literal('succeeded')]);

export const RefundView = Type.Object({
  id: IdSchema('rfd'),
  paymentId: IdSchema('pay'),
  amountFen: PositiveFen,
  reason: Type.String(),
  state: RefundState,
  createdBy: Type.String(),
  createdAt: IsoTime,
  completedAt: Type.Optional(IsoTime),
});
export type RefundView = Static<typeof RefundView>;

export const TransitionView = Type.Object({
  from: Type.Union([PaymentState, Type.Null()]),
  to: PaymentState,
  at: IsoTime,
  actor: Type.String(),
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** What an admin sees of a payment: the state, the money references and the full audit trail. */
export const AdminPaymentView = Type.Object({
  id: IdSchema('pay'),
  state: PaymentState,
  method: PaymentMethod,
  amountFen: PositiveFen,
  refundedFen: Fen,
  billerId: BillerId,
  accountMasked: Type.String(),
  period: Type.String(),
  communityId: IdSchema('node'),
  communityName: Type.String(),
  deviceId: IdSchema('dev'),
  authCode: Type.Optional(Type.String()),
  maskedCard: Type.Optional(Type.String()),
  postingId: Type.Optional(Type.String()),
  captureId: Type.Optional(Type.String()),
  receiptId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  refunds: Type.Optional(Type.Array(RefundView)),
  transitions: Type.Optional(Type.Array(TransitionView)),
});
export type AdminPaymentView = Static<typeof AdminPaymentView>;

export const PaymentListResponse = Type.Object({ payments: Type.Array(AdminPaymentView) });
export type PaymentListResponse = Static<typeof PaymentListResponse>;

/** `POST /api/v1/admin/payments/:id/refunds` with an Idempotency-Key header. */
export const RefundRequest = Type.Object(
  {
    amountFen: PositiveFen,
    reason: Type.String({ minLength: 1, maxLength: 200, description: 'why, for the audit trail' }),
  },
  strict,
);
export type RefundRequest = Static<typeof RefundRequest>;

export const RefundResponse = Type.Object({ refund: RefundView, payment: AdminPaymentView });
export type RefundResponse = Static<typeof RefundResponse>;

/** `POST /api/v1/admin/payments/:id/reprint`: print the receipt again on a kiosk (default: the paying one). */
export const ReprintRequest = Type.Object({ deviceId: Type.Optional(IdSchema('dev')) }, strict);
export type ReprintRequest = Static<typeof ReprintRequest>;

export const ReprintState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('printed'),
  Type.Literal('failed'),
]);

export const ReprintView = Type.Object({
  id: IdSchema('rpr'),
  paymentId: IdSchema('pay'),
  receiptId: IdSchema('rcpt'),
  deviceId: IdSchema('dev'),
  state: ReprintState,
  error: Type.Optional(Type.String()),
  createdBy: Type.String(),
  createdAt: IsoTime,
  doneAt: Type.Optional(IsoTime),
});
export type ReprintView = Static<typeof ReprintView>;

/** `GET /api/v1/device/reprints`: receipts staff asked this kiosk to print again. */
export const DeviceReprintsResponse = Type.Object({
  reprints: Type.Array(Type.Object({ id: IdSchema('rpr'), receipt: SignedEnvelope(Receipt) }), {
    maxItems: 20,
  }),
});
export type DeviceReprintsResponse = Static<typeof DeviceReprintsResponse>;

export const ReprintDoneRequest = Type.Object(
  {
    outcome: Type.Union([Type.Literal('printed'), Type.Literal('failed')]),
    error: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
export type ReprintDoneRequest = Static<typeof ReprintDoneRequest>;
export const ReprintIdParams = Type.Object({ id: IdSchema('rpr') }, strict);
