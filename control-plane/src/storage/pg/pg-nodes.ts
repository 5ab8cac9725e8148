import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { NodeRecord } from '../records.js';
import type { NodeRepository } from '../repository.js';
import { encodeAncestry } from '../sqlite/rows.js';
import { type NodeRow, toRecord } from '../sqlite/sqlite-nodes.js';
import { isPgUniqueViolation, type PgDatabase } from './pg-database.js';

/**
 * PostgreSQL twin of SqliteNodes. A subtree is every ancestry starting with the root's: `starts_with` with
 * a literal prefix is a range scan on the (COLLATE "C") ancestry index, and needs no LIKE escaping of the
 * `_` in ids. Nodes never move, so reading the root first and its subtree second cannot tear.
 */
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
      if (isPgUniqueViolation(err)) {
        throw new LinliError(
          ErrorCode.CONFLICT,
          `a node named "${node.name}" already exists under this parent; pick another name or use the existing node`,
          { field: 'name' },
        );
      }
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
