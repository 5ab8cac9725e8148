import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { maskAccount } from '../../../protocol/money.js';
import type { CardView, LinkCardRequest } from '../../../protocol/schemas/card.js';
import type { BillerAdapter } from '../adapters/billers/biller-adapter.js';
import type { CardRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import type { BillService } from './bills.js';
import { type AdminPrincipal, iso } from './context.js';
import { type HierarchyService, isWithin } from './hierarchy.js';

export interface CardDeps {
  repo: Repository;
  hierarchy: HierarchyService;
  billers: BillerAdapter;
  bills: BillService;
  now: () => number;
}

/**
 * Resident cards: community staff link a card UID to accounts of their community, so a resident taps the
 * card instead of typing an account number. Each account is checked with its biller (it exists, and it is
 * served in that community) before it is linked. Linking the same UID again replaces its accounts.
 */
export class CardService {
  readonly #d: CardDeps;

  constructor(deps: CardDeps) {
    this.#d = deps;
  }

  async link(principal: AdminPrincipal, req: LinkCardRequest): Promise<CardView> {
    const node = await this.#d.hierarchy.nodeInScope(principal, req.nodeId);
    if (node.level !== 'community') {
      throw new LinliError(
        ErrorCode.NODE_LEVEL,
        `${node.name} is a ${node.level}; resident cards belong to a community, link them there`,
        { field: 'nodeId' },
      );
    }
    const seen = new Set<string>();
    for (const [i, a] of req.accounts.entries()) {
      const key = `${a.billerId}:${a.account}`;
      if (seen.has(key)) {
        throw new LinliError(ErrorCode.BAD_REQUEST, `account ${key} is listed twice`, {
          field: `accounts/${i}`,
        });
      }
      seen.add(key);
      const info = await this.#d.billers.lookupAccount(a.billerId, a.account);
      await this.#d.bills.assertInCommunity(node, info);
    }
    const now = this.#d.now();
    const card = await this.#d.repo.cards.upsert({
      id: newId('card', now),
      nodeId: node.id,
      cardUid: req.cardUid,
      label: req.label ?? null,
      accounts: req.accounts.map((a) => ({ billerId: a.billerId, account: a.account })),
      createdBy: `admin:${principal.admin.id}`,
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
    });
    return cardView(card);
  }

  async list(principal: AdminPrincipal, nodeId?: string): Promise<CardView[]> {
    const node = nodeId ? await this.#d.hierarchy.nodeInScope(principal, nodeId) : principal.node;
    const ids = (await this.#d.repo.nodes.listSubtree(node.id)).map((n) => n.id);
    return (await this.#d.repo.cards.listForNodes(ids)).map(cardView);
  }

  async revoke(principal: AdminPrincipal, id: string): Promise<CardView> {
    const card = await this.#d.repo.cards.get(id);
    const node = card ? await this.#d.repo.nodes.get(card.nodeId) : undefined;
    if (!card || !node || !isWithin(node, principal.node.id) || card.revokedAt !== null) {
      throw new LinliError(ErrorCode.CARD_NOT_FOUND, `no active card ${id} in your part of the hierarchy`, {
        field: 'id',
      });
    }
    await this.#d.repo.cards.revoke(id, this.#d.now());
    return cardView((await this.#d.repo.cards.get(id))!);
  }
}

function cardView(c: CardRecord): CardView {
  return {
    id: c.id,
    nodeId: c.nodeId,
    cardUid: c.cardUid,
    ...(c.label ? { label: c.label } : {}),
    accounts: c.accounts.map((a) => ({ ...a, accountMasked: maskAccount(a.account) })),
    createdBy: c.createdBy,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}
