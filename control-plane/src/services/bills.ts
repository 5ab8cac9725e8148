import { signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { maskAccount } from '../../../protocol/money.js';
import { Bill, type BillerId } from '../../../protocol/schemas/bill.js';
import type { CardAccountBills, CardBillsResponse } from '../../../protocol/schemas/card.js';
import type { BillsResponse } from '../../../protocol/schemas/device-api.js';
import { validate } from '../../../protocol/validate.js';
import type { AccountInfo, BillerAdapter } from '../adapters/billers/biller-adapter.js';
import type { KeyStore } from '../keys/key-store.js';
import type { NodeRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type DevicePrincipal, iso } from './context.js';
import { requireRole } from './device-auth.js';
import { sameArea, serviceAreaOf } from './service-area.js';

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
 * can only be paid by the kiosk that showed it, and only while the amount shown is fresh. Accounts belong to
 * communities (the biller's service address): a kiosk is served only its own community's accounts.
 */
export class BillService {
  readonly #d: BillDeps;

  constructor(deps: BillDeps) {
    this.#d = deps;
  }

  async lookup(principal: DevicePrincipal, billerId: BillerId, account: string): Promise<BillsResponse> {
    requireRole(principal, ['kiosk']);
    await this.assertInCommunity(principal.node, await this.#d.billers.lookupAccount(billerId, account));
    return { bills: await this.#signedBills(principal, billerId, account) };
  }

  /** The accounts staff linked to a resident card in this kiosk's community, each with its signed bills. */
  async cardBills(principal: DevicePrincipal, cardUid: string): Promise<CardBillsResponse> {
    requireRole(principal, ['kiosk']);
    const card = await this.#d.repo.cards.findActive(principal.node.id, cardUid);
    if (!card) {
      throw new LinliError(
        ErrorCode.CARD_NOT_FOUND,
        '这张卡未绑定本社区的缴费户号，请输入户号或到社区服务中心办理绑定。This card is not linked to accounts of this community; enter the account number, or ask the community office to link the card.',
      );
    }
    const accounts: CardAccountBills[] = [];
    for (const link of card.accounts) {
      const base = {
        billerId: link.billerId,
        billerName: this.#d.billers.name(link.billerId),
        accountMasked: maskAccount(link.account),
      };
      try {
        const info = await this.#d.billers.lookupAccount(link.billerId, link.account);
        await this.assertInCommunity(principal.node, info);
        accounts.push({
          ...base,
          holderMasked: maskName(info.holderName),
          bills: await this.#signedBills(principal, link.billerId, link.account),
        });
      } catch (err) {
        if (!isLinliError(err)) throw err;
        accounts.push({
          ...base,
          holderMasked: '',
          bills: [],
          error: { code: err.code, message: err.message },
        });
      }
    }
    return { cardId: card.id, ...(card.label ? { label: card.label } : {}), accounts };
  }

  /** LINLI_ERR_ACCOUNT_SCOPE unless the biller serves this account in the node's community. */
  async assertInCommunity(node: NodeRecord, info: AccountInfo): Promise<void> {
    const area = await serviceAreaOf(this.#d.repo, node);
    if (!sameArea(info.serviceArea, area)) {
      throw new LinliError(
        ErrorCode.ACCOUNT_SCOPE,
        `户号 ${maskAccount(info.account)} 不属于本社区，请到所属社区的终端缴费。Account ${maskAccount(info.account)} belongs to another community; pay it at a kiosk of that community or at the biller.`,
        { billerId: info.billerId },
      );
    }
  }

  async #signedBills(principal: DevicePrincipal, billerId: BillerId, account: string) {
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
    return bills;
  }
}
