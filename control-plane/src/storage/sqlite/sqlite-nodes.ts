import type { Database, Statement } from 'better-sqlite3';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { NodeLevel } from '../../../../protocol/schemas/common.js';
import type { NodeRecord } from '../records.js';
import type { NodeRepository } from '../repository.js';
import { decodeAncestry, encodeAncestry, isUniqueViolation, subtreeGlob } from './rows.js';
import { prepared } from './statements.js';

export interface NodeRow {
  id: string;
  parent_id: string | null;
  level: NodeLevel;
  name: string;
  timezone: string;
  ancestry: string;
  created_at: number;
}

export function toRecord(r: NodeRow): NodeRecord {
  return {
    id: r.id,
    parentId: r.parent_id,
    level: r.level,
    name: r.name,
    timezone: r.timezone,
    ancestry: decodeAncestry(r.ancestry),
    createdAt: r.created_at,
  };
}

export class SqliteNodes implements NodeRepository {
  readonly #db: Database;
  readonly #get: Statement<[string], NodeRow>;
  readonly #insert: Statement;
  readonly #children: Statement<[string], NodeRow>;

  constructor(db: Database) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM nodes WHERE id = ?');
    this.#insert = db.prepare(
      `INSERT INTO nodes (id, parent_id, level, name, timezone, ancestry, created_at)
       VALUES (@id, @parentId, @level, @name, @timezone, @ancestry, @createdAt)`,
    );
    this.#children = db.prepare('SELECT * FROM nodes WHERE parent_id = ? ORDER BY name');
  }

  async count(): Promise<number> {
    return (prepared(this.#db, 'SELECT COUNT(*) AS n FROM nodes').get() as { n: number }).n;
  }

  async get(id: string): Promise<NodeRecord | undefined> {
    const row = this.#get.get(id);
    return row ? toRecord(row) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<NodeRecord[]> {
    if (ids.length === 0) return [];
    const rows = prepared(this.#db, `SELECT * FROM nodes WHERE id IN (${ids.map(() => '?').join(',')})`).all(
      ...ids,
    ) as NodeRow[];
    return rows.map(toRecord);
  }

  async create(node: NodeRecord): Promise<void> {
    try {
      this.#insert.run({ ...node, ancestry: encodeAncestry(node.ancestry) });
    } catch (err) {
      if (isUniqueViolation(err)) {
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
    const root = this.#get.get(rootId);
    if (!root) return [];
    const rows = prepared(
      this.#db,
      'SELECT * FROM nodes WHERE ancestry GLOB ? ORDER BY length(ancestry), name',
    ).all(subtreeGlob(root.ancestry)) as NodeRow[];
    return rows.map(toRecord);
  }

  async listChildren(parentId: string): Promise<NodeRecord[]> {
    return this.#children.all(parentId).map(toRecord);
  }

  async listRoots(): Promise<NodeRecord[]> {
    return (
      prepared(this.#db, 'SELECT * FROM nodes WHERE parent_id IS NULL ORDER BY created_at').all() as NodeRow[]
    ).map(toRecord);
  }
}
