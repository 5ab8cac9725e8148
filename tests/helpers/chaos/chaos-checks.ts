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

/** Reads the control plane's database and the simulators' ledgers beside it, and compares with the kiosks. */
export function checkInvariants(world: ChaosWorld, seen: Map<string, SeenEntry>): ChaosInvariants {
  const db = new Database(world.dbFile, { readonly: true, fileMustExist: true });
  try {
    // The sim_* tables live in the simulators' own file; attached, the queries below join across both.
    db.prepare('ATTACH DATABASE ? AS sim').run(world.simDbFile);
    const payments = db
      .prepare('SELECT id, idempotency_key AS key, state, method, biller_bill_ref AS ref FROM payments')
      .all() as { id: string; key: string; state: string; method: string; ref: string }[];
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const doubleCaptures =
      count(
        "SELECT COUNT(*) AS n FROM (SELECT payment_id FROM sim_gateway_ledger WHERE op = 'capture' GROUP BY payment_id HAVING COUNT(*) > 1)",
      ) +
      count(
        `SELECT COUNT(*) AS n FROM (SELECT p.biller_bill_ref FROM payments p
           JOIN sim_gateway_ledger g ON g.payment_id = p.id AND g.op = 'capture'
          GROUP BY p.biller_bill_ref HAVING COUNT(DISTINCT p.id) > 1)`,
      );
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
    for (const p of payments) {
      byState[p.state] = (byState[p.state] ?? 0) + 1;
      byMethod[p.method] = (byMethod[p.method] ?? 0) + 1;
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
    for (const k of world.kiosks) {
      for (const [ref, t] of Object.entries(world.terminalLog(k))) {
        if (t.Result === 'Success' && !moved.has(ref)) orphanAuthorizations++;
      }
    }
    return {
      payments: payments.length,
      byState,
      byMethod,
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
