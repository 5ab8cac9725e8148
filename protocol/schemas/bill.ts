import { type Static, Type } from '@sinclair/typebox';
import { I18nText, IdSchema, IsoTime, PositiveFen, strict } from './common.js';

export const BillerId = Type.Union([
  Type.Literal('water'),
  Type.Literal('electricity'),
  Type.Literal('gas'),
  Type.Literal('property'),
]);
export type BillerId = Static<typeof BillerId>;
export const BILLER_IDS: readonly BillerId[] = ['water', 'electricity', 'gas', 'property'];

export const AccountNumber = Type.String({
  pattern: '^[0-9A-Za-z-]{4,32}$',
  description: 'biller account number',
});

/** An open bill as the kiosk shows it; signed by the transaction key, bound to the asking device. */
export const Bill = Type.Object(
  {
    type: Type.Literal('linli.bill/v1'),
    id: IdSchema('bill'),
    billerId: BillerId,
    billerName: I18nText(64),
    accountMasked: Type.String({ maxLength: 40 }),
    holderMasked: Type.String({ maxLength: 40 }),
    period: Type.String({ maxLength: 32, description: 'billing period, e.g. 2026-10' }),
    amountFen: PositiveFen,
    dueDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    communityId: IdSchema('node'),
    deviceId: IdSchema('dev'),
    issuedAt: IsoTime,
    expiresAt: IsoTime,
  },
  strict,
);
export type Bill = Static<typeof Bill>;

export const BillQuery = Type.Object({ billerId: BillerId, account: AccountNumber }, strict);
export type BillQuery = Static<typeof BillQuery>;
