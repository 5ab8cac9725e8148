import { type Static, Type } from '@sinclair/typebox';
import { AccountNumber, Bill, BillerId } from './bill.js';
import { I18nText, IdSchema, IsoTime, SignedEnvelope, strict } from './common.js';

/** A resident card's UID as the reader reports it: 4, 7 or 10 bytes in upper-case hex. */
export const CardUid = Type.String({
  pattern: '^(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$',
  description: 'IC/NFC card UID, upper-case hex (8, 14 or 20 digits)',
});

/** `POST /api/v1/device/card-bills`: the accounts linked to a card read at this kiosk, with their bills. */
export const CardBillsRequest = Type.Object({ cardUid: CardUid }, strict);
export type CardBillsRequest = Static<typeof CardBillsRequest>;

export const CardAccountBills = Type.Object({
  billerId: BillerId,
  billerName: I18nText(64),
  accountMasked: Type.String({ maxLength: 40 }),
  holderMasked: Type.String({ maxLength: 40 }),
  /** Signed bills, as from GET /bills; empty when nothing is due. */
  bills: Type.Array(SignedEnvelope(Bill), { maxItems: 50 }),
  /** Set when this account could not be looked up right now (e.g. the biller is down). */
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
export type CardAccountBills = Static<typeof CardAccountBills>;

export const CardBillsResponse = Type.Object({
  cardId: IdSchema('card'),
  label: Type.Optional(Type.String({ maxLength: 64 })),
  accounts: Type.Array(CardAccountBills, { maxItems: 20 }),
});
export type CardBillsResponse = Static<typeof CardBillsResponse>;

export const LinkedAccount = Type.Object({ billerId: BillerId, account: AccountNumber }, strict);
export type LinkedAccount = Static<typeof LinkedAccount>;

/** `POST /api/v1/admin/cards`: link a card to accounts of one community (replaces earlier links). */
export const LinkCardRequest = Type.Object(
  {
    nodeId: IdSchema('node'),
    cardUid: CardUid,
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'e.g. 3-2-501 王家' })),
    accounts: Type.Array(LinkedAccount, { minItems: 1, maxItems: 20 }),
  },
  strict,
);
export type LinkCardRequest = Static<typeof LinkCardRequest>;

export const CardView = Type.Object({
  id: IdSchema('card'),
  nodeId: IdSchema('node'),
  cardUid: CardUid,
  label: Type.Optional(Type.String()),
  accounts: Type.Array(
    Type.Object({ billerId: BillerId, account: Type.String(), accountMasked: Type.String() }),
  ),
  createdBy: Type.String(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type CardView = Static<typeof CardView>;

export const CardListQuery = Type.Object({ nodeId: Type.Optional(IdSchema('node')) }, strict);
export type CardListQuery = Static<typeof CardListQuery>;
export const CardListResponse = Type.Object({ cards: Type.Array(CardView) });
export type CardListResponse = Static<typeof CardListResponse>;
export const CardIdParams = Type.Object({ id: IdSchema('card') }, strict);
