import type { Database, Statement } from 'better-sqlite3';
import type { DeviceRole } from '../../../../protocol/schemas/common.js';
import type { DeviceRecord, EnrollmentTokenRecord } from '../records.js';
import type { ConsumeTokenResult, EnrollmentTokenRepository } from '../repository.js';
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
