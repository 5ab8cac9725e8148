import type { BillerId } from '../../../../protocol/schemas/bill.js';
import type {
  Mismatch,
  ReconciliationReport,
  ReconciliationRow,
} from '../../../../protocol/schemas/reconciliation.js';
import type { BillerAdapter, Posting } from '../../adapters/billers/biller-adapter.js';
import type { PaymentGateway, StatementEntry } from '../../adapters/gateway/payment-gateway.js';
import type { WalletProvider } from '../../adapters/wallet/wallet-provider.js';
import type { PaymentListItem, Repository } from '../../storage/repository.js';
import { type AdminPrincipal, iso } from '../context.js';
import { dayRange } from '../day-range.js';
import { isFinal, PAST_AUTHORIZATION } from './payment-state-machine.js';
import type { PaymentsAdmin } from './payments-admin.js';

export interface ReconciliationDeps {
  repo: Repository;
  admin: PaymentsAdmin;
  billers: BillerAdapter;
  gateway: PaymentGateway;
  wallet: WalletProvider;
  now: () => number;
}

/** A payment that has not moved for this long while not final is reported as stuck. */
const STUCK_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

/**
 * The daily reconciliation: our payments of the day (in the node's time zone) against the biller's postings
 * and the acquirer's and wallet's statements, per biller and per community. Statements are read up to a day
 * past the window, so a payment made at 23:59 and captured at 00:01 still matches.
 */
export class ReconciliationService {
  readonly #d: ReconciliationDeps;

  constructor(deps: ReconciliationDeps) {
    this.#d = deps;
  }

  async report(principal: AdminPrincipal, date: string, nodeId?: string): Promise<ReconciliationReport> {
    const { node, communities } = await this.#d.admin.scope(principal, nodeId);
    const { from, to } = dayRange(date, node.timezone);
    const items = await this.#d.repo.payments.listForCommunities({
      communityIds: communities.map((c) => c.id),
      from,
      to,
      limit: 1_000_000,
    });
    const [postings, card, wallet] = await Promise.all([
      this.#d.billers.listPostings(from, to + DAY_MS),
      this.#d.gateway.statement(from, to + DAY_MS),
      this.#d.wallet.statement(from, to + DAY_MS),
    ]);
    const postingOf = new Map<string, Posting>(postings.map((p) => [p.paymentId, p]));
    const captureOf = new Map<string, StatementEntry>();
    for (const e of [...card, ...wallet]) if (e.op === 'capture') captureOf.set(e.paymentId, e);

    const now = this.#d.now();
    const names = new Map(communities.map((c) => [c.id, c.name]));
    const byBiller = new Map<string, ReconciliationRow>();
    const byCommunity = new Map<string, ReconciliationRow>();
    const totals = emptyRow('total', '合计 Total');
    const mismatches: Mismatch[] = [];

    for (const item of items) {
      const p = item.payment;
      const biller = row(byBiller, p.billerId, this.#d.billers.name(p.billerId).zh);
      const community = row(byCommunity, item.communityId, names.get(item.communityId) ?? item.communityId);
      const posting = postingOf.get(p.id);
      const capture = captureOf.get(p.id);
      for (const r of [biller, community, totals]) add(r, item, posting, capture);
      mismatches.push(...check(item, posting, capture, now));
    }
    if (node.parentId === null) {
      // Only the city sees the whole statements, so only the city is told about money we have no record of.
      const ours = new Set(items.map((i) => i.payment.id));
      for (const e of captureOf.values()) {
        if (e.at < to && !ours.has(e.paymentId) && !(await this.#d.repo.payments.get(e.paymentId))) {
          mismatches.push({
            kind: 'unknown_capture',
            paymentId: e.paymentId,
            amountFen: e.amountFen,
            detail: `capture ${e.reference} matches no payment`,
          });
        }
      }
      for (const pst of postings) {
        if (
          pst.postedAt < to &&
          !ours.has(pst.paymentId) &&
          !(await this.#d.repo.payments.get(pst.paymentId))
        ) {
          mismatches.push({
            kind: 'unknown_posting',
            paymentId: pst.paymentId,
            amountFen: pst.amountFen,
            detail: `posting ${pst.postingId} matches no payment`,
          });
        }
      }
    }
    return {
      date,
      timezone: node.timezone,
      from: iso(from),
      to: iso(to),
      nodeId: node.id,
      generatedAt: iso(now),
      byBiller: [...byBiller.values()].sort((a, b) => a.key.localeCompare(b.key)),
      byCommunity: [...byCommunity.values()].sort((a, b) => a.name.localeCompare(b.name)),
      totals,
      mismatches,
      balanced: mismatches.length === 0,
    };
  }
}

function emptyRow(key: string, name: string): ReconciliationRow {
  return {
    key,
    name,
    payments: 0,
    paidCount: 0,
    paidFen: 0,
    postedCount: 0,
    postedFen: 0,
    capturedCount: 0,
    capturedFen: 0,
    voidedCount: 0,
    voidedFen: 0,
    refundedCount: 0,
    refundedFen: 0,
    canceledCount: 0,
    openCount: 0,
    netFen: 0,
  };
}

function row(map: Map<string, ReconciliationRow>, key: string, name: string): ReconciliationRow {
  let r = map.get(key);
  if (!r) {
    r = emptyRow(key, name);
    map.set(key, r);
  }
  return r;
}

function add(r: ReconciliationRow, item: PaymentListItem, posting?: Posting, capture?: StatementEntry): void {
  const p = item.payment;
  r.payments++;
  if (PAST_AUTHORIZATION.includes(p.state) || p.state === 'voided') {
    r.paidCount++;
    r.paidFen += p.amountFen;
  }
  if (posting) {
    r.postedCount++;
    r.postedFen += posting.amountFen;
  }
  if (capture) {
    r.capturedCount++;
    r.capturedFen += capture.amountFen;
  }
  if (p.state === 'voided') {
    r.voidedCount++;
    r.voidedFen += p.amountFen;
  }
  if (p.refundedFen > 0) {
    r.refundedCount++;
    r.refundedFen += p.refundedFen;
  }
  if (p.state === 'canceled') r.canceledCount++;
  if (!isFinal(p.state)) r.openCount++;
  r.netFen = r.capturedFen - r.refundedFen;
}

function check(
  item: PaymentListItem,
  posting: Posting | undefined,
  capture: StatementEntry | undefined,
  now: number,
): Mismatch[] {
  const p = item.payment;
  const base = {
    paymentId: p.id,
    billerId: p.billerId as BillerId,
    communityId: item.communityId,
    state: p.state,
    amountFen: p.amountFen,
  };
  const out: Mismatch[] = [];
  const quiet = now - p.updatedAt > STUCK_MS;
  if (capture && !posting)
    out.push({
      ...base,
      kind: 'captured_not_posted',
      detail: `captured ${capture.reference} but the biller has no posting`,
    });
  if (posting && !capture && (quiet || !['authorized', 'posted'].includes(p.state))) {
    out.push({ ...base, kind: 'posted_not_captured', detail: `posted ${posting.postingId} but no capture` });
  }
  if (posting && posting.amountFen !== p.amountFen)
    out.push({ ...base, kind: 'amount_differs', detail: `posting is ${posting.amountFen} fen` });
  if (capture && capture.amountFen !== p.amountFen)
    out.push({ ...base, kind: 'amount_differs', detail: `capture is ${capture.amountFen} fen` });
  if (!isFinal(p.state) && quiet)
    out.push({ ...base, kind: 'stuck', detail: `${p.state} since ${iso(p.updatedAt)}` });
  return out;
}

const CSV_COLUMNS: (keyof ReconciliationRow)[] = [
  'key',
  'name',
  'payments',
  'paidCount',
  'paidFen',
  'postedCount',
  'postedFen',
  'capturedCount',
  'capturedFen',
  'voidedCount',
  'voidedFen',
  'refundedCount',
  'refundedFen',
  'canceledCount',
  'openCount',
  'netFen',
];

function cell(v: unknown): string {
  const s = String(v ?? '');
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The report as CSV: one section column, amounts in integer fen, mismatches at the end. */
export function reportCsv(r: ReconciliationReport): string {
  const lines = [['section', ...CSV_COLUMNS].join(',')];
  const put = (section: string, x: ReconciliationRow) =>
    lines.push([section, ...CSV_COLUMNS.map((c) => x[c])].map(cell).join(','));
  for (const x of r.byBiller) put('biller', x);
  for (const x of r.byCommunity) put('community', x);
  put('total', r.totals);
  lines.push('');
  lines.push(
    ['mismatch', 'kind', 'paymentId', 'billerId', 'communityId', 'state', 'amountFen', 'detail'].join(','),
  );
  for (const m of r.mismatches) {
    lines.push(
      ['mismatch', m.kind, m.paymentId, m.billerId, m.communityId, m.state, m.amountFen, m.detail]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
