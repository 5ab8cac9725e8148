import { type Static, Type } from '@sinclair/typebox';
import { BillerId } from './bill.js';
import { Fen, IdSchema, IsoTime, strict } from './common.js';
import { DateOnly } from './payment-admin.js';

export const ReconciliationQuery = Type.Object(
  {
    date: DateOnly,
    nodeId: Type.Optional(IdSchema('node')),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  strict,
);
export type ReconciliationQuery = Static<typeof ReconciliationQuery>;

/** Counts and sums for one biller or one community over the day; every amount in fen. */
export const ReconciliationRow = Type.Object({
  key: Type.String(),
  name: Type.String(),
  payments: Type.Integer({ minimum: 0 }),
  /** Payments the payer paid (authorized by the terminal or the wallet), whatever happened next. */
  paidCount: Type.Integer({ minimum: 0 }),
  paidFen: Fen,
  postedCount: Type.Integer({ minimum: 0 }),
  postedFen: Fen,
  capturedCount: Type.Integer({ minimum: 0 }),
  capturedFen: Fen,
  voidedCount: Type.Integer({ minimum: 0 }),
  voidedFen: Fen,
  refundedCount: Type.Integer({ minimum: 0 }),
  refundedFen: Fen,
  canceledCount: Type.Integer({ minimum: 0 }),
  /** Not yet closed, canceled, voided or refunded. */
  openCount: Type.Integer({ minimum: 0 }),
  /** capturedFen − refundedFen: what the community collected for the biller. */
  netFen: Type.Integer(),
});
export type ReconciliationRow = Static<typeof ReconciliationRow>;

export const MismatchKind = Type.Union([
  Type.Literal('captured_not_posted'),
  Type.Literal('posted_not_captured'),
  Type.Literal('amount_differs'),
  Type.Literal('unknown_capture'),
  Type.Literal('unknown_posting'),
  Type.Literal('stuck'),
]);
export type MismatchKind = Static<typeof MismatchKind>;

export const Mismatch = Type.Object({
  kind: MismatchKind,
  paymentId: Type.String(),
  billerId: Type.Optional(BillerId),
  communityId: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  amountFen: Type.Optional(Fen),
  detail: Type.String(),
});
export type Mismatch = Static<typeof Mismatch>;

export const ReconciliationReport = Type.Object({
  date: DateOnly,
  timezone: Type.String(),
  from: IsoTime,
  to: IsoTime,
  nodeId: IdSchema('node'),
  generatedAt: IsoTime,
  byBiller: Type.Array(ReconciliationRow),
  byCommunity: Type.Array(ReconciliationRow),
  totals: ReconciliationRow,
  mismatches: Type.Array(Mismatch),
  /** True when every captured payment is posted, every posting captured, and the sums agree. */
  balanced: Type.Boolean(),
});
export type ReconciliationReport = Static<typeof ReconciliationReport>;
