/**
 * Records for the payment-side storage contract tests and their worker processes: a city with communities,
 * an admin, a kiosk (contract/fixtures.ts), and bills/payments built field by field, written only through
 * the Repository interface so the same seed works on every engine.
 */
import { newId } from '../../../protocol/ids.js';
import type { PaymentState } from '../../../protocol/schemas/payment.js';
import { addAdmin, addNode, addToken, enroll } from '../storage/contract/fixtures.js';
import type { BillRecord, IdempotencyRecord, PaymentRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';

export type SeedRepo = Repository;

export interface PaymentWorld {
  cityId: string;
  /** Two sibling communities (city → district → street → community), for the community filters. */
  communityIds: [string, string];
  adminId: string;
  deviceId: string;
}

export const T0 = Date.parse('2026-12-01T02:00:00.000Z');

/** A city down to two communities, an admin, and a kiosk of the first community, through the Repository. */
export async function seedWorld(repo: Repository): Promise<PaymentWorld> {
  const city = await addNode(repo, '测试市');
  const street = await addNode(repo, '幸福街道', await addNode(repo, '东区', city));
  const a = await addNode(repo, '甲小区', street);
  const b = await addNode(repo, '乙小区', street);
  const admin = await addAdmin(repo, city, `admin_${a.id.slice(-8).toLowerCase()}`);
  const device = await enroll(repo, await addToken(repo, a, admin));
  return { cityId: city.id, communityIds: [a.id, b.id], adminId: admin.id, deviceId: device.id };
}

export function billFor(
  world: PaymentWorld,
  over: Partial<BillRecord> & { communityId?: string } = {},
): BillRecord {
  const issuedAt = over.issuedAt ?? T0;
  const id = over.id ?? newId('bill', issuedAt);
  const account = over.account ?? '0101234567';
  return {
    id,
    deviceId: world.deviceId,
    billerId: 'water',
    account,
    billerBillRef: `ref-${id}`,
    amountFen: 12_345,
    period: '2026-11',
    communityId: world.communityIds[0],
    issuedAt,
    expiresAt: issuedAt + 600_000,
    envelope: { payload: { id, account, amountFen: 12_345 } as never, kid: 'k_test', sig: 'sig' },
    ...over,
  };
}

export async function createBill(
  repo: SeedRepo,
  world: PaymentWorld,
  over: Partial<BillRecord> = {},
): Promise<BillRecord> {
  const bill = billFor(world, over);
  await repo.bills.create(bill);
  return bill;
}

export function paymentFor(bill: BillRecord, over: Partial<PaymentRecord> = {}): PaymentRecord {
  const at = over.createdAt ?? bill.issuedAt + 1;
  return {
    id: newId('pay', at),
    deviceId: bill.deviceId,
    billId: bill.id,
    idempotencyKey: `key-${newId('k', at)}`,
    billerId: bill.billerId,
    billerBillRef: bill.billerBillRef,
    accountMasked: `${bill.account.slice(0, 3)}****${bill.account.slice(-3)}`,
    amountFen: bill.amountFen,
    method: 'terminal',
    state: 'created',
    authCode: null,
    maskedCard: null,
    cardToken: null,
    terminalTxnId: null,
    postingId: null,
    captureId: null,
    receiptId: null,
    walletOrderId: null,
    qrCodeUrl: null,
    qrExpiresAt: null,
    refundedFen: 0,
    reason: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

export function idempotencyFor(p: PaymentRecord, requestHash = 'h1'): IdempotencyRecord {
  return {
    deviceId: p.deviceId,
    key: p.idempotencyKey,
    requestHash,
    paymentId: p.id,
    statusCode: 201,
    response: { payment: { id: p.id, state: p.state, amountFen: p.amountFen } },
    createdAt: p.createdAt,
  };
}

/** Walks a payment along the given states (each a real compare-and-set); returns the last record. */
export async function walk(
  repo: Pick<Repository, 'payments'>,
  p: PaymentRecord,
  states: readonly PaymentState[],
  at = p.createdAt,
): Promise<PaymentRecord> {
  let current = p;
  for (const [i, to] of states.entries()) {
    const next = await repo.payments.transition({
      paymentId: p.id,
      from: current.state,
      to,
      at: at + i + 1,
      actor: 'system',
    });
    if (!next) throw new Error(`walk: ${current.state} → ${to} refused`);
    current = next;
  }
  return current;
}
