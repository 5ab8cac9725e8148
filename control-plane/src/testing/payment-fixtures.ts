/**
 * Records for the payment-side storage contract tests and their worker processes: a city with communities,
 * an admin, a kiosk, and bills/payments built field by field, written only through the Repository
 * interface so the same seed works on every engine.
 */
import { newId } from '../../../protocol/ids.js';
import type { PaymentState } from '../../../protocol/schemas/payment.js';
import type { BillRecord, IdempotencyRecord, PaymentRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';

export type SeedRepo = Pick<Repository, 'nodes' | 'admins' | 'tokens' | 'bills'>;

export interface PaymentWorld {
  cityId: string;
  /** Two sibling communities under the city, for the community filters. */
  communityIds: [string, string];
  adminId: string;
  deviceId: string;
}

export const T0 = Date.parse('2026-12-01T02:00:00.000Z');

export async function seedWorld(repo: SeedRepo, now = T0): Promise<PaymentWorld> {
  const cityId = newId('node', now);
  await repo.nodes.create({
    id: cityId,
    parentId: null,
    level: 'city',
    name: '测试市',
    timezone: 'Asia/Shanghai',
    ancestry: [cityId],
    createdAt: now,
  });
  const communityIds = ['甲小区', '乙小区'].map(() => newId('node', now)) as [string, string];
  for (const [i, id] of communityIds.entries()) {
    await repo.nodes.create({
      id,
      parentId: cityId,
      level: 'community',
      name: i === 0 ? '甲小区' : '乙小区',
      timezone: 'Asia/Shanghai',
      ancestry: [cityId, id],
      createdAt: now,
    });
  }
  const adminId = newId('adm', now);
  await repo.admins.create({
    id: adminId,
    username: `admin_${adminId.slice(-8).toLowerCase()}`,
    passwordHash: 'x',
    role: 'admin',
    nodeId: cityId,
    createdAt: now,
  });
  const tokenId = newId('tok', now);
  await repo.tokens.create({
    id: tokenId,
    secretHash: 'x',
    nodeId: communityIds[0],
    role: 'kiosk',
    maxUses: 1,
    uses: 0,
    expiresAt: now + 3_600_000,
    revokedAt: null,
    tags: [],
    createdBy: adminId,
    createdAt: now,
  });
  const deviceId = newId('dev', now);
  const res = await repo.tokens.consumeAndCreateDevice(
    tokenId,
    {
      id: deviceId,
      nodeId: communityIds[0],
      role: 'kiosk',
      name: '一号机',
      publicKey: `pk_${deviceId}`,
      status: 'active',
      tags: [],
      hardware: null,
      tokenId,
      enrolledAt: now,
      lastSeenAt: null,
      lastStatus: null,
      revokedAt: null,
    },
    now,
  );
  if (!res.ok) throw new Error(`seed: device not created (${res.reason})`);
  return { cityId, communityIds, adminId, deviceId };
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
