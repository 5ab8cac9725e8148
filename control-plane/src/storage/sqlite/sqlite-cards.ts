import type { Database } from 'better-sqlite3';
import type { BillerId } from '../../../../protocol/schemas/bill.js';
import type { CardRecord } from '../records.js';
import type { CardRepository } from '../repository.js';
import { prepared } from './statements.js';

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

/** Resident cards and the accounts each is linked to (ordered as staff entered them). */
export class SqliteCards implements CardRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  #withAccounts(r: CardRow): CardRecord {
    const accounts = prepared(
      this.#db,
      'SELECT biller_id, account FROM resident_card_accounts WHERE card_id = ? ORDER BY position',
    ).all(r.id) as { biller_id: BillerId; account: string }[];
    return {
      id: r.id,
      nodeId: r.node_id,
      cardUid: r.card_uid,
      label: r.label,
      accounts: accounts.map((a) => ({ billerId: a.biller_id, account: a.account })),
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      revokedAt: r.revoked_at,
    };
  }

  async findActive(nodeId: string, cardUid: string): Promise<CardRecord | undefined> {
    const r = prepared(
      this.#db,
      'SELECT * FROM resident_cards WHERE node_id = ? AND card_uid = ? AND revoked_at IS NULL',
    ).get(nodeId, cardUid) as CardRow | undefined;
    return r ? this.#withAccounts(r) : undefined;
  }

  async get(id: string): Promise<CardRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM resident_cards WHERE id = ?').get(id) as CardRow | undefined;
    return r ? this.#withAccounts(r) : undefined;
  }

  async upsert(card: CardRecord): Promise<CardRecord> {
    const save = this.#db.transaction(() => {
      const existing = prepared(
        this.#db,
        'SELECT id FROM resident_cards WHERE node_id = ? AND card_uid = ? AND revoked_at IS NULL',
      ).get(card.nodeId, card.cardUid) as { id: string } | undefined;
      const cardId = existing?.id ?? card.id;
      if (existing) {
        prepared(this.#db, 'UPDATE resident_cards SET label = ?, updated_at = ? WHERE id = ?').run(
          card.label,
          card.updatedAt,
          cardId,
        );
        prepared(this.#db, 'DELETE FROM resident_card_accounts WHERE card_id = ?').run(cardId);
      } else {
        prepared(
          this.#db,
          `INSERT INTO resident_cards (id, node_id, card_uid, label, created_by, created_at, updated_at, revoked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
        ).run(cardId, card.nodeId, card.cardUid, card.label, card.createdBy, card.createdAt, card.updatedAt);
      }
      const insert = prepared(
        this.#db,
        'INSERT OR IGNORE INTO resident_card_accounts (card_id, position, biller_id, account) VALUES (?, ?, ?, ?)',
      );
      for (const [i, a] of card.accounts.entries()) insert.run(cardId, i, a.billerId, a.account);
      return cardId;
    });
    // IMMEDIATE: it reads, then writes; deferred, that fails with SQLITE_BUSY when another process wrote
    // meanwhile (seen with two processes saving the same card).
    const id = save.immediate();
    return (await this.get(id))!;
  }

  async listForNodes(nodeIds: readonly string[]): Promise<CardRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = prepared(
      this.#db,
      `SELECT * FROM resident_cards WHERE revoked_at IS NULL AND node_id IN (${nodeIds.map(() => '?').join(',')})
         ORDER BY created_at`,
    ).all(...nodeIds) as CardRow[];
    return rows.map((r) => this.#withAccounts(r));
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return (
      prepared(
        this.#db,
        'UPDATE resident_cards SET revoked_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL',
      ).run(at, at, id).changes === 1
    );
  }
}
