import type { DeviceRecord, EnrollmentTokenRecord } from '../records.js';
import type {
  ConsumeTokenResult,
  EnrollmentTokenRepository,
  TokenListEntry,
  TokenListFilter,
} from '../repository.js';
import { LAST_USED, type TokenRow, tokenStateWhere, toListEntry, toRecord } from '../sqlite/sqlite-tokens.js';
import { isPgUniqueViolation, type PgDatabase } from './pg-database.js';
import { insertDevice } from './pg-devices.js';

/** PostgreSQL twin of SqliteTokens. */
export class PgTokens implements EnrollmentTokenRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async create(t: EnrollmentTokenRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO enrollment_tokens (id, secret_hash, node_id, role, max_uses, uses, expires_at, revoked_at,
                                      tags, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        t.id,
        t.secretHash,
        t.nodeId,
        t.role,
        t.maxUses,
        t.uses,
        t.expiresAt,
        t.revokedAt,
        JSON.stringify(t.tags),
        t.createdBy,
        t.createdAt,
      ],
    );
  }

  async get(id: string): Promise<EnrollmentTokenRecord | undefined> {
    const row = (await this.#db.query<TokenRow>('SELECT * FROM enrollment_tokens WHERE id = $1', [id]))
      .rows[0];
    return row ? toRecord(row) : undefined;
  }

  async list(f: TokenListFilter): Promise<TokenListEntry[]> {
    if (f.nodeIds.length === 0) return [];
    const where = ['t.node_id = ANY($1::text[])'];
    const params: unknown[] = [f.nodeIds, f.limit];
    if (f.state) {
      const clause = tokenStateWhere(f.state, '$3');
      // Only `active` and `expired` compare with now; PostgreSQL refuses an unused parameter.
      if (clause.includes('$3')) params.push(f.now);
      where.push(clause);
    }
    const rows = (
      await this.#db.query<TokenRow & { last_used_at: number | null }>(
        `SELECT t.*, ${LAST_USED} FROM enrollment_tokens t WHERE ${where.join(' AND ')}
          ORDER BY t.created_at DESC, t.id DESC LIMIT $2`,
        params,
      )
    ).rows;
    return rows.map(toListEntry);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const r = await this.#db.query(
      'UPDATE enrollment_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
      [at, id],
    );
    return r.rowCount === 1;
  }

  /**
   * `FOR UPDATE` locks the token row for the rest of the transaction: concurrent enrollments on any
   * instance queue behind it and each re-reads the committed use count (and a revocation) once it has the
   * lock, so `uses` can never pass `max_uses` (the CHECK would also refuse it) and no use is lost.
   */
  async consumeAndCreateDevice(
    tokenId: string,
    device: DeviceRecord,
    now: number,
  ): Promise<ConsumeTokenResult> {
    try {
      return await this.#db.tx(async (c): Promise<ConsumeTokenResult> => {
        const row = (
          await c.query<TokenRow>('SELECT * FROM enrollment_tokens WHERE id = $1 FOR UPDATE', [tokenId])
        ).rows[0];
        if (!row) return { ok: false, reason: 'not_found' };
        if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
        if (row.expires_at <= now) return { ok: false, reason: 'expired' };
        if (row.uses >= row.max_uses) return { ok: false, reason: 'used_up' };
        await c.query('UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = $1', [tokenId]);
        // A duplicate public key throws here, which rolls the burned use back with the transaction.
        await insertDevice(c, device);
        return { ok: true, device };
      });
    } catch (err) {
      if (isPgUniqueViolation(err)) return { ok: false, reason: 'key_taken' };
      throw err;
    }
  }
}
