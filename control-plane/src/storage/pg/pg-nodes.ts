import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { NodeRecord } from '../records.js';
import type { NodeRepository } from '../repository.js';
import { encodeAncestry } from '../sqlite/rows.js';
import { type NodeRow, toRecord } from '../sqlite/sqlite-nodes.js';
import { isPgUniqueViolation, type PgDatabase } from './pg-database.js';

/**
 * PostgreSQL twin of SqliteNodes. A subtree is every ancestry starting with the root's: `starts_with` with
 * a literal prefix is a range scan on the (COLLATE "C") ancestry index, and needs no LIKE escaping of the
 * `_` in ids. A move rewrites a subtree's ancestry in one transaction; a subtree read racing it may see the
 * old or the new prefix, never a mix within one statement.
 */
function nameTaken(err: unknown, name: string): unknown {
  if (!isPgUniqueViolation(err)) return err;
  return new LinliError(
    ErrorCode.CONFLICT,
    `a node named "${name}" already exists under this parent; pick another name or use the existing node`,
    { field: 'name' },
  );
}

export class PgNodes implements NodeRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async count(): Promise<number> {
    return (await this.#db.query<{ n: number }>('SELECT COUNT(*) AS n FROM nodes')).rows[0]?.n ?? 0;
  }

  async get(id: string): Promise<NodeRecord | undefined> {
    const row = (await this.#db.query<NodeRow>('SELECT * FROM nodes WHERE id = $1', [id])).rows[0];
    return row ? toRecord(row) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<NodeRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#db.query<NodeRow>('SELECT * FROM nodes WHERE id = ANY($1::text[])', [ids]);
    return rows.map(toRecord);
  }

  async create(node: NodeRecord): Promise<void> {
    try {
      await this.#db.query(
        `INSERT INTO nodes (id, parent_id, level, name, timezone, ancestry, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          node.id,
          node.parentId,
          node.level,
          node.name,
          node.timezone,
          encodeAncestry(node.ancestry),
          node.createdAt,
        ],
      );
    } catch (err) {
      throw nameTaken(err, node.name);
    }
  }

  async rename(id: string, name: string): Promise<boolean> {
    try {
      const res = await this.#db.query('UPDATE nodes SET name = $1 WHERE id = $2', [name, id]);
      return (res.rowCount ?? 0) > 0;
    } catch (err) {
      throw nameTaken(err, name);
    }
  }

  async move(id: string, parentId: string): Promise<boolean> {
    try {
      return await this.#db.tx(async (c) => {
        // Moves are rare: one at a time cluster-wide, so a move of an ancestor cannot rewrite prefixes while
        // this one reads them (row locks on the two ends alone would let a subtree tear).
        await c.query("SELECT pg_advisory_xact_lock(hashtext('linli.nodes.move'))");
        const { rows } = await c.query<NodeRow>(
          'SELECT * FROM nodes WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
          [[id, parentId]],
        );
        const node = rows.find((r) => r.id === id);
        const parent = rows.find((r) => r.id === parentId);
        if (!node || !parent) return false;
        await c.query('UPDATE nodes SET parent_id = $1 WHERE id = $2', [parentId, id]);
        await c.query(
          'UPDATE nodes SET ancestry = $1 || substr(ancestry, $2) WHERE starts_with(ancestry, $3)',
          [`${parent.ancestry}${id}/`, node.ancestry.length + 1, node.ancestry],
        );
        return true;
      });
    } catch (err) {
      throw nameTaken(err, (await this.get(id))?.name ?? id);
    }
  }

  async remove(id: string): Promise<'removed' | 'missing' | 'referenced'> {
    try {
      return await this.#db.tx(async (c) => {
        await c.query("DELETE FROM config_settings WHERE scope_kind = 'node' AND scope_id = $1", [id]);
        await c.query("DELETE FROM config_scopes WHERE scope_kind = 'node' AND scope_id = $1", [id]);
        const res = await c.query('DELETE FROM nodes WHERE id = $1', [id]);
        return (res.rowCount ?? 0) > 0 ? 'removed' : 'missing';
      });
    } catch (err) {
      // 23503: foreign_key_violation — something still names the node.
      if ((err as { code?: string }).code === '23503') return 'referenced';
      throw err;
    }
  }

  async listSubtree(rootId: string): Promise<NodeRecord[]> {
    const root = (await this.#db.query<NodeRow>('SELECT ancestry FROM nodes WHERE id = $1', [rootId]))
      .rows[0];
    if (!root) return [];
    const { rows } = await this.#db.query<NodeRow>(
      'SELECT * FROM nodes WHERE starts_with(ancestry, $1) ORDER BY length(ancestry), name',
      [root.ancestry],
    );
    return rows.map(toRecord);
  }

  async listChildren(parentId: string): Promise<NodeRecord[]> {
    const { rows } = await this.#db.query<NodeRow>('SELECT * FROM nodes WHERE parent_id = $1 ORDER BY name', [
      parentId,
    ]);
    return rows.map(toRecord);
  }

  async listRoots(): Promise<NodeRecord[]> {
    const { rows } = await this.#db.query<NodeRow>(
      'SELECT * FROM nodes WHERE parent_id IS NULL ORDER BY created_at',
    );
    return rows.map(toRecord);
  }
}
