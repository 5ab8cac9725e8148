import type { BillerId } from '../../../../protocol/schemas/bill.js';
import type { CardRecord } from '../records.js';
import type { CardRepository } from '../repository.js';
import type { PgDatabase } from './pg-database.js';

interface CardRow {
  id: string;
  node_id: string;
  card_uid: string;
  label: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
}

interface AccountRow {
  card_id: string;
  biller_id: BillerId;
  account: string;
}

const ACTIVE = 'SELECT * FROM resident_cards WHERE node_id = $1 AND card_uid = $2 AND revoked_at IS NULL';

/**
 * Resident cards and the accounts each is linked to (ordered as staff entered them). At most one active card
 * per UID and community is the partial unique index's job; `upsert` leans on it with ON CONFLICT, so two
 * staff saving the same card at once from two instances end with one card, not a duplicate or an error.
 */
export class PgCards implements CardRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async #withAccounts(rows: readonly CardRow[]): Promise<CardRecord[]> {
    if (rows.length === 0) return [];
    const accounts = (
      await this.#db.query<AccountRow>(
        `SELECT card_id, biller_id, account FROM resident_card_accounts WHERE card_id = ANY($1::text[])
          ORDER BY card_id, position`,
        [rows.map((r) => r.id)],
      )
    ).rows;
    return rows.map((r) => ({
      id: r.id,
      nodeId: r.node_id,
      cardUid: r.card_uid,
      label: r.label,
      accounts: accounts
        .filter((a) => a.card_id === r.id)
        .map((a) => ({ billerId: a.biller_id, account: a.account })),
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      revokedAt: r.revoked_at,
    }));
  }

  async #one(sql: string, params: unknown[]): Promise<CardRecord | undefined> {
    const rows = (await this.#db.query<CardRow>(sql, params)).rows;
    return (await this.#withAccounts(rows))[0];
  }

  findActive(nodeId: string, cardUid: string): Promise<CardRecord | undefined> {
    return this.#one(ACTIVE, [nodeId, cardUid]);
  }

  get(id: string): Promise<CardRecord | undefined> {
    return this.#one('SELECT * FROM resident_cards WHERE id = $1', [id]);
  }

  async upsert(card: CardRecord): Promise<CardRecord> {
    const id = await this.#db.tx(async (c) => {
      // The conflict target names the partial index (same columns, same predicate); the row it locks also
      // makes a concurrent upsert of the same card wait before replacing the accounts.
      const row = (
        await c.query<{ id: string }>(
          `INSERT INTO resident_cards (id, node_id, card_uid, label, created_by, created_at, updated_at, revoked_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)
           ON CONFLICT (node_id, card_uid) WHERE revoked_at IS NULL
           DO UPDATE SET label = EXCLUDED.label, updated_at = EXCLUDED.updated_at
           RETURNING id`,
          [card.id, card.nodeId, card.cardUid, card.label, card.createdBy, card.createdAt, card.updatedAt],
        )
      ).rows[0]!;
      await c.query('DELETE FROM resident_card_accounts WHERE card_id = $1', [row.id]);
      for (const [i, a] of card.accounts.entries()) {
        await c.query(
          `INSERT INTO resident_card_accounts (card_id, position, biller_id, account) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [row.id, i, a.billerId, a.account],
        );
      }
      return row.id;
    });
    return (await this.get(id))!;
  }

  async listForNodes(nodeIds: readonly string[]): Promise<CardRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = (
      await this.#db.query<CardRow>(
        `SELECT * FROM resident_cards WHERE revoked_at IS NULL AND node_id = ANY($1::text[])
          ORDER BY created_at, id`,
        [nodeIds],
      )
    ).rows;
    return this.#withAccounts(rows);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const res = await this.#db.query(
      'UPDATE resident_cards SET revoked_at = $2, updated_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, at],
    );
    return res.rowCount === 1;
  }
}
