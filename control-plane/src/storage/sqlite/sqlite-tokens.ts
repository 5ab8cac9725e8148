import type { Database, Statement } from 'better-sqlite3';
import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import type { DeviceRecord, EnrollmentTokenRecord } from '../records.js';
import type {
  ConsumeTokenResult,
  EnrollmentTokenRepository,
  TokenListEntry,
  TokenListFilter,
  TokenState,
} from '../repository.js';
import { fromJson, isUniqueViolation } from './rows.js';
import { insertDevice } from './sqlite-devices.js';
import { prepared } from './statements.js';

export interface TokenRow {
  id: string;
  secret_hash: string;
  node_id: string;
  role: DeviceRole;
  max_uses: number;
  uses: number;
  expires_at: number;
  revoked_at: number | null;
  tags: string;
  created_by: string;
  created_at: number;
}

export function toRecord(r: TokenRow): EnrollmentTokenRecord {
  return {
    id: r.id,
    secretHash: r.secret_hash,
    nodeId: r.node_id,
    role: r.role,
    maxUses: r.max_uses,
    uses: r.uses,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    tags: fromJson<string[]>(r.tags) ?? [],
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** The WHERE fragment per state (both dialects; `now` is the only parameter). */
export function tokenStateWhere(state: TokenState, now: string): string {
  switch (state) {
    case 'revoked':
      return 'revoked_at IS NOT NULL';
    case 'used':
      return 'revoked_at IS NULL AND uses >= max_uses';
    case 'expired':
      return `revoked_at IS NULL AND uses < max_uses AND expires_at <= ${now}`;
    case 'active':
      return `revoked_at IS NULL AND uses < max_uses AND expires_at > ${now}`;
  }
}

export const LAST_USED = '(SELECT MAX(d.enrolled_at) FROM devices d WHERE d.token_id = t.id) AS last_used_at';

export function toListEntry(r: TokenRow & { last_used_at: number | null }): TokenListEntry {
  return { ...toRecord(r), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at) };
}

export class SqliteTokens implements EnrollmentTokenRepository {
  readonly #db: Database;
  readonly #get: Statement<[string], TokenRow>;

  constructor(db: Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM enrollment_tokens WHERE id = ?');
  }

  async create(t: EnrollmentTokenRecord): Promise<void> {
    prepared(
      this.#db,
      `INSERT INTO enrollment_tokens (id, secret_hash, node_id, role, max_uses, uses, expires_at, revoked_at,
                                        tags, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
    );
  }

  async get(id: string): Promise<EnrollmentTokenRecord | undefined> {
    const row = this.#get.get(id);
    return row ? toRecord(row) : undefined;
  }

  async list(f: TokenListFilter): Promise<TokenListEntry[]> {
    if (f.nodeIds.length === 0) return [];
    const where = ['t.node_id IN (SELECT value FROM json_each(@ids))'];
    if (f.state) where.push(tokenStateWhere(f.state, '@now'));
    const rows = prepared(
      this.#db,
      `SELECT t.*, ${LAST_USED} FROM enrollment_tokens t WHERE ${where.join(' AND ')}
        ORDER BY t.created_at DESC, t.id DESC LIMIT @limit`,
    ).all({ ids: JSON.stringify(f.nodeIds), now: f.now, limit: f.limit }) as (TokenRow & {
      last_used_at: number | null;
    })[];
    return rows.map(toListEntry);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return (
      prepared(
        this.#db,
        'UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      ).run(at, id).changes === 1
    );
  }

  async consumeAndCreateDevice(
    tokenId: string,
    device: DeviceRecord,
    now: number,
  ): Promise<ConsumeTokenResult> {
    const tx = this.#db.transaction((): ConsumeTokenResult => {
      const row = this.#get.get(tokenId);
      if (!row) return { ok: false, reason: 'not_found' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (row.expires_at <= now) return { ok: false, reason: 'expired' };
      const burned = prepared(
        this.#db,
        'UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ? AND uses < max_uses',
      ).run(tokenId).changes;
      if (burned !== 1) return { ok: false, reason: 'used_up' };
      // A duplicate public key throws here, which rolls the burned use back with the transaction.
      insertDevice(this.#db, device);
      return { ok: true, device };
    });
    try {
      // IMMEDIATE: take the write lock before reading the token. A deferred transaction that reads first
      // fails at once with SQLITE_BUSY (no busy-timeout wait) when another process wrote in between.
      return tx.immediate();
    } catch (err) {
      if (isUniqueViolation(err)) return { ok: false, reason: 'key_taken' };
      throw err;
    }
  }
}
