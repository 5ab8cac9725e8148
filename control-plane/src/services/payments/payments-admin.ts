import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { AdminPaymentView, PaymentListQuery } from '../../../../protocol/schemas/payment-admin.js';
import type { NodeRecord, PaymentRecord, RefundRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import { type AdminPrincipal, iso } from '../context.js';
import { dayRange } from '../day-range.js';
import { type HierarchyService, isWithin } from '../hierarchy.js';

/** An admin's view of payments: only in the admin's subtree, with the audit trail on request. */
export class PaymentsAdmin {
  readonly #repo: Repository;
  readonly #hierarchy: HierarchyService;

  constructor(repo: Repository, hierarchy: HierarchyService) {
    this.#repo = repo;
    this.#hierarchy = hierarchy;
  }

  /** The node asked for (default: the admin's) and the communities at or below it. */
  async scope(
    principal: AdminPrincipal,
    nodeId?: string,
  ): Promise<{ node: NodeRecord; communities: NodeRecord[] }> {
    const node = nodeId ? await this.#hierarchy.nodeInScope(principal, nodeId) : principal.node;
    const communities = (await this.#repo.nodes.listSubtree(node.id)).filter((n) => n.level === 'community');
    return { node, communities };
  }

  async list(principal: AdminPrincipal, q: PaymentListQuery): Promise<AdminPaymentView[]> {
    const { node, communities } = await this.scope(principal, q.nodeId);
    const range = q.date ? dayRange(q.date, node.timezone) : undefined;
    const names = new Map(communities.map((c) => [c.id, c.name]));
    const items = await this.#repo.payments.listForCommunities({
      communityIds: communities.map((c) => c.id),
      ...(range ? { from: range.from, to: range.to } : {}),
      ...(q.state ? { state: q.state } : {}),
      limit: q.limit ?? 100,
    });
    return items.map((i) => view(i.payment, i.communityId, names.get(i.communityId) ?? '', i.period));
  }

  /** One payment with its refunds and transitions; NOT_FOUND outside the admin's scope (no existence leak). */
  async get(principal: AdminPrincipal, id: string): Promise<AdminPaymentView> {
    const { payment, community, period } = await this.scoped(principal, id);
    const refunds = await this.#repo.refunds.listForPayment(id);
    const transitions = await this.#repo.payments.listTransitions(id);
    return {
      ...view(payment, community.id, community.name, period),
      refunds: refunds.map(refundView),
      transitions: transitions.map((t) => ({
        from: t.from,
        to: t.to,
        at: iso(t.at),
        actor: t.actor,
        ...(t.detail ? { detail: t.detail } : {}),
      })),
    };
  }

  async scoped(
    principal: AdminPrincipal,
    id: string,
  ): Promise<{ payment: PaymentRecord; community: NodeRecord; period: string }> {
    const payment = await this.#repo.payments.get(id);
    const bill = payment ? await this.#repo.bills.get(payment.billId) : undefined;
    const community = bill ? await this.#repo.nodes.get(bill.communityId) : undefined;
    if (!payment || !bill || !community || !isWithin(community, principal.node.id)) {
      throw new LinliError(ErrorCode.PAYMENT_NOT_FOUND, `no payment ${id} in your part of the hierarchy`, {
        field: 'id',
      });
    }
    return { payment, community, period: bill.period };
  }
}

export function refundView(r: RefundRecord) {
  return {
    id: r.id,
    paymentId: r.paymentId,
    amountFen: r.amountFen,
    reason: r.reason,
    state: r.state,
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt),
    ...(r.completedAt !== null ? { completedAt: iso(r.completedAt) } : {}),
  };
}

function view(
  p: PaymentRecord,
  communityId: string,
  communityName: string,
  period: string,
): AdminPaymentView {
  return {
    id: p.id,
    state: p.state,
    method: p.method,
    amountFen: p.amountFen,
    refundedFen: p.refundedFen,
    billerId: p.billerId,
    accountMasked: p.accountMasked,
    period,
    communityId,
    communityName,
    deviceId: p.deviceId,
    ...(p.authCode ? { authCode: p.authCode } : {}),
    ...(p.maskedCard ? { maskedCard: p.maskedCard } : {}),
    ...(p.postingId ? { postingId: p.postingId } : {}),
    ...(p.captureId ? { captureId: p.captureId } : {}),
    ...(p.receiptId ? { receiptId: p.receiptId } : {}),
    ...(p.reason ? { reason: p.reason } : {}),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}
