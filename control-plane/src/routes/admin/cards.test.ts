import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { Keyring, verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { Bill } from '../../../../protocol/schemas/bill.js';
import type { CardBillsResponse, CardView } from '../../../../protocol/schemas/card.js';
import { createHarness, type Harness, tableCounts } from '../../testing/harness.js';
import { type AdminInject, scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let staff: AdminInject;
let neighbourStaff: AdminInject;
let kiosk: TestDevice;
let communityId: string;
let neighbourId: string;
let streetId: string;

beforeAll(async () => {
  h = await createHarness();
  const { community, neighbour, street } = await h.sunshine();
  communityId = community.id;
  neighbourId = neighbour.id;
  streetId = street.id;
  staff = await scopedAdmin(h, 'sunshine.staff', 'staff', community.id);
  neighbourStaff = await scopedAdmin(h, 'moon.staff', 'staff', neighbour.id);
  kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
});
afterAll(() => h.close());

const link = (who: AdminInject, payload: object) => who({ method: 'POST', url: API.cards, payload });
const cardBills = (cardUid: string) =>
  kiosk.call(h.app, { method: 'POST', url: API.deviceCardBills, payload: { cardUid } });

describe('resident cards', () => {
  it('community staff link a card to accounts; a tap at the kiosk gives their signed bills', async () => {
    const res = await link(staff, {
      nodeId: communityId,
      cardUid: '04A1B2C3D4E5F6',
      label: '3-2-501 王家',
      accounts: [
        { billerId: 'water', account: '1001000001' },
        { billerId: 'property', account: '4004000005' },
      ],
    });
    expect(res.statusCode).toBe(201);
    const card = res.json() as CardView;
    expect(card.accounts.map((a) => a.accountMasked)).toEqual(['******0001', '******0005']);

    const tap = await cardBills('04A1B2C3D4E5F6');
    expect(tap.statusCode).toBe(200);
    const body = tap.json() as CardBillsResponse;
    expect(body.label).toBe('3-2-501 王家');
    expect(body.accounts.map((a) => [a.billerId, a.accountMasked, a.bills.length])).toEqual([
      ['water', '******0001', 1],
      ['property', '******0005', 2],
    ]);
    const t = h.app.keys.transaction;
    const ring = new Keyring([{ kid: t.kid, uses: ['transaction'], publicKey: t.publicKey }]);
    for (const b of body.accounts.flatMap((a) => a.bills)) {
      expect(verifyEnvelope<Bill>(b, ring, { type: 'linli.bill/v1', schema: Bill }).deviceId).toBe(kiosk.id);
    }
  });

  it('linking the same card again replaces its accounts; revoking it makes kiosks forget it', async () => {
    await link(staff, {
      nodeId: communityId,
      cardUid: '11223344',
      accounts: [{ billerId: 'gas', account: '3003000001' }],
    });
    const again = await link(staff, {
      nodeId: communityId,
      cardUid: '11223344',
      accounts: [{ billerId: 'electricity', account: '2002000002' }],
    });
    const card = again.json() as CardView;
    expect(card.accounts.map((a) => a.billerId)).toEqual(['electricity']);
    const list = (await staff({ method: 'GET', url: API.cards })).json() as { cards: CardView[] };
    expect(list.cards.filter((c) => c.cardUid === '11223344')).toHaveLength(1);
    expect((await staff({ method: 'POST', url: API.cardRevoke(card.id), payload: {} })).statusCode).toBe(200);
    expect((await cardBills('11223344')).json()).toMatchObject({ error: { code: ErrorCode.CARD_NOT_FOUND } });
  });

  it('refuses with codes and stores nothing: other community, wrong level, unknown account, out of scope', async () => {
    const before = tableCounts(h.repo);
    const cases: [AdminInject, object, string][] = [
      [
        staff,
        {
          nodeId: communityId,
          cardUid: 'AABBCCDD',
          accounts: [{ billerId: 'water', account: '1001000006' }],
        },
        ErrorCode.ACCOUNT_SCOPE,
      ],
      [
        staff,
        {
          nodeId: communityId,
          cardUid: 'AABBCCDD',
          accounts: [{ billerId: 'water', account: '9999999999' }],
        },
        ErrorCode.ACCOUNT_NOT_FOUND,
      ],
      [
        h.admin,
        { nodeId: streetId, cardUid: 'AABBCCDD', accounts: [{ billerId: 'water', account: '1001000001' }] },
        ErrorCode.NODE_LEVEL,
      ],
      [
        neighbourStaff,
        {
          nodeId: communityId,
          cardUid: 'AABBCCDD',
          accounts: [{ billerId: 'water', account: '1001000001' }],
        },
        ErrorCode.NODE_NOT_FOUND,
      ],
      [
        staff,
        { nodeId: communityId, cardUid: 'not-hex', accounts: [{ billerId: 'water', account: '1001000001' }] },
        ErrorCode.BAD_REQUEST,
      ],
      [staff, { nodeId: communityId, cardUid: 'AABBCCDD', accounts: [] }, ErrorCode.BAD_REQUEST],
    ];
    for (const [who, payload, code] of cases) {
      const res = await link(who, payload);
      expect(res.json(), code).toMatchObject({ error: { code } });
    }
    expect(tableCounts(h.repo)).toEqual(before);
  });

  it('a card of another community means nothing at this kiosk; an unknown card says so with a code', async () => {
    await link(neighbourStaff, {
      nodeId: neighbourId,
      cardUid: 'CAFEBABE',
      accounts: [{ billerId: 'water', account: '1001000006' }],
    });
    for (const uid of ['CAFEBABE', 'DEADBEEF']) {
      const res = await cardBills(uid);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.CARD_NOT_FOUND } });
    }
    const bad = await cardBills('xyz');
    expect(bad.json()).toMatchObject({ error: { code: ErrorCode.BAD_REQUEST } });
  });
});
