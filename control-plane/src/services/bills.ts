import { signEnvelope } from '../../../protocol/envelope.js';
import { newId } from '../../../protocol/ids.js';
import { maskAccount } from '../../../protocol/money.js';
import { Bill, type BillerId } from '../../../protocol/schemas/bill.js';
import type { BillsResponse } from '../../../protocol/schemas/device-api.js';
import { validate } from '../../../protocol/validate.js';
import type { BillerAdapter } from '../adapters/billers/biller-adapter.js';
import type { KeyStore } from '../keys/key-store.js';
import type { Repository } from '../storage/repository.js';
import { type DevicePrincipal, iso } from './context.js';
import { requireRole } from './device-auth.js';

/** 王小明 → 王*明, 李华 → 李*: enough for a resident to recognise the account, not enough to learn a name. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

export interface BillDeps {
  repo: Repository;
  keys: KeyStore;
  billers: BillerAdapter;
  now: () => number;
  billTtlSec: number;
}

/**
 * Looks bills up at the biller and hands the kiosk signed copies bound to it, with a short expiry: a bill
 * can only be paid by the kiosk that showed it, and only while the amount shown is fresh.
 */
export class BillService {
  readonly #d: BillDeps;

  constructor(deps: BillDeps) {
    this.#d = deps;
  }

  async lookup(principal: DevicePrincipal, billerId: BillerId, account: string): Promise<BillsResponse> {
    requireRole(principal, ['kiosk']);
    const open = await this.#d.billers.lookupOpenBills(billerId, account);
    const now = this.#d.now();
    const expiresAt = now + this.#d.billTtlSec * 1000;
    const bills = [];
    for (const b of open.slice(0, 50)) {
      const payload = validate(
        Bill,
        {
          type: 'linli.bill/v1',
          id: newId('bill', now),
          billerId: b.billerId,
          billerName: this.#d.billers.name(b.billerId),
          accountMasked: maskAccount(b.account),
          holderMasked: maskName(b.holderName),
          period: b.period,
          amountFen: b.amountFen,
          dueDate: b.dueDate,
          communityId: principal.node.id,
          deviceId: principal.device.id,
          issuedAt: iso(now),
          expiresAt: iso(expiresAt),
        },
        'bill',
      );
      const envelope = signEnvelope(payload, this.#d.keys.transaction);
      await this.#d.repo.bills.create({
        id: payload.id,
        deviceId: principal.device.id,
        billerId: b.billerId,
        account: b.account,
        billerBillRef: b.billRef,
        amountFen: b.amountFen,
        period: b.period,
        communityId: principal.node.id,
        issuedAt: now,
        expiresAt,
        envelope,
      });
      bills.push(envelope);
    }
    return { bills };
  }
}
