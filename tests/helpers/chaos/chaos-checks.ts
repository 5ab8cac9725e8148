import Database from 'better-sqlite3';
import type { ChaosWorld } from './chaos-world.js';

/** A journal entry as the harness last saw it (journals are compacted, so the harness keeps its own copy). */
export interface SeenEntry {
  kiosk: number;
  key: string;
  step: string;
  paymentId?: string;
  method: string;
}

export interface ChaosInvariants {
  payments: number;
  byState: Record<string, number>;
  byMethod: Record<string, number>;
  /** Closed (paid and receipted) payments per method: proves each method really completed under chaos. */
  closedByMethod: Record<string, number>;
  /** A payment captured twice, or a bill settled by two captured payments. Goal 0. */
  doubleCaptures: number;
  /** Captured but the biller has no posting for it: money taken, bill not paid. Goal 0. */
  lostCaptures: number;
  /** Not closed, canceled, voided or refunded. Goal 0. */
  nonTerminal: number;
  /** The kiosk's journal and the control plane disagree about a payment. Goal none. */
  disagreements: string[];
  /** The terminal approved, but the money was neither captured nor released. Goal 0. */
  orphanAuthorizations: number;
  /** The wallet took the payer's money, but it was neither settled nor returned. Goal 0. */
  orphanWalletPayments: number;
}

const TERMINAL = new Set(['closed', 'canceled', 'voided', 'refunded']);
const JOURNAL_TO_STATE: Record<string, string[]> = {
  closed: ['closed', 'refund_pending', 'refunded'],
  canceled: ['canceled'],
  declined: ['canceled'],
  voided: ['voided'],
};

export interface PaymentRow {
  id: string;
  key: string;
  state: string;
  method: string;
  ref: string;
}

/** The payments columns the invariants need, in either store's SQL (the same names in both). */
export const PAYMENT_ROWS_SQL =
  'SELECT id, idempotency_key AS key, state, method, biller_bill_ref AS ref FROM payments';

/** Reads the control plane's database and the simulators' ledgers beside it, and compares with the kiosks. */
export function checkInvariants(world: ChaosWorld, seen: Map<string, SeenEntry>): ChaosInvariants {
  const db = new Database(world.dbFile, { readonly: true, fileMustExist: true });
  try {
    const payments = db.prepare(PAYMENT_ROWS_SQL).all() as PaymentRow[];
    return invariantsFrom(
      payments,
      world.simDbFile,
      world.kiosks.map((k) => world.terminalLog(k)),
      seen,
    );
  } finally {
    db.close();
  }
}

/**
 * The money invariants from the control plane's payments (from whichever store), the simulators' ledgers
 * (their own SQLite file, shared by every instance) and the kiosks' terminal logs and journals.
 */
export function invariantsFrom(
  payments: readonly PaymentRow[],
  simDbFile: string,
  terminalLogs: readonly Record<string, { Result: string }>[],
  seen: Map<string, SeenEntry>,
): ChaosInvariants {
  const db = new Database(simDbFile, { readonly: true, fileMustExist: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const refOf = new Map(payments.map((p) => [p.id, p.ref]));
    const captured = (
      db.prepare("SELECT DISTINCT payment_id AS id FROM sim_gateway_ledger WHERE op = 'capture'").all() as {
        id: string;
      }[]
    ).map((r) => r.id);
    const capturesPerBill = new Map<string, number>();
    for (const id of captured) {
      const ref = refOf.get(id);
      if (ref !== undefined) capturesPerBill.set(ref, (capturesPerBill.get(ref) ?? 0) + 1);
    }
    const doubleCaptures =
      count(
        "SELECT COUNT(*) AS n FROM (SELECT payment_id FROM sim_gateway_ledger WHERE op = 'capture' GROUP BY payment_id HAVING COUNT(*) > 1)",
      ) + [...capturesPerBill.values()].filter((n) => n > 1).length;
    const lostCaptures = count(
      `SELECT COUNT(*) AS n FROM sim_gateway_ledger g WHERE g.op = 'capture'
         AND NOT EXISTS (SELECT 1 FROM sim_biller_postings b WHERE b.payment_id = g.payment_id)`,
    );
    const moved = new Set(
      (db.prepare('SELECT DISTINCT payment_id AS id FROM sim_gateway_ledger').all() as { id: string }[]).map(
        (r) => r.id,
      ),
    );
    const orphanWalletPayments = (
      db
        .prepare(
          "SELECT out_trade_no AS id FROM sim_wallet_orders WHERE status IN ('SUCCESS','REFUND','REVOKED')",
        )
        .all() as {
        id: string;
      }[]
    ).filter((o) => !moved.has(o.id)).length;

    const byState: Record<string, number> = {};
    const byMethod: Record<string, number> = {};
    const closedByMethod: Record<string, number> = {};
    for (const p of payments) {
      byState[p.state] = (byState[p.state] ?? 0) + 1;
      byMethod[p.method] = (byMethod[p.method] ?? 0) + 1;
      if (p.state === 'closed') closedByMethod[p.method] = (closedByMethod[p.method] ?? 0) + 1;
    }
    const disagreements: string[] = [];
    const byKey = new Map(payments.map((p) => [p.key, p]));
    for (const e of seen.values()) {
      const p = byKey.get(e.key);
      if (e.step === 'rejected') {
        if (p)
          disagreements.push(
            `${e.key}: rejected on the kiosk but the control plane has ${p.id} (${p.state})`,
          );
        continue;
      }
      const want = JOURNAL_TO_STATE[e.step];
      if (!want) disagreements.push(`${e.key}: still open on kiosk ${e.kiosk} at ${e.step}`);
      else if (!p) disagreements.push(`${e.key}: ${e.step} on the kiosk, unknown to the control plane`);
      else if (!want.includes(p.state))
        disagreements.push(`${e.key}: kiosk says ${e.step}, control plane says ${p.state}`);
    }
    for (const p of payments) {
      if (!seen.has(p.key))
        disagreements.push(`${p.id}: on the control plane (${p.state}) but in no kiosk journal`);
    }
    let orphanAuthorizations = 0;
    for (const log of terminalLogs) {
      for (const [ref, t] of Object.entries(log)) {
        if (t.Result === 'Success' && !moved.has(ref)) orphanAuthorizations++;
      }
    }
    return {
      payments: payments.length,
      byState,
      byMethod,
      closedByMethod,
      doubleCaptures,
      lostCaptures,
      nonTerminal: payments.filter((p) => !TERMINAL.has(p.state)).length,
      disagreements,
      orphanAuthorizations,
      orphanWalletPayments,
    };
  } finally {
    db.close();
  }
}
