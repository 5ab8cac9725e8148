import type { Database } from 'better-sqlite3';
import type { DeviceRole, Signed } from '../../../../protocol/schemas/common.js';
import type { Notice, NoticeCategory, NoticePriority } from '../../../../protocol/schemas/notice.js';
import type { NoticeRecord } from '../records.js';
import type { NoticeRepository } from '../repository.js';
import { fromJson, toJson } from './rows.js';

interface NoticeRow {
  id: string;
  node_id: string;
  roles: string | null;
  category: NoticeCategory;
  priority: NoticePriority;
  published_at: number;
  expires_at: number | null;
  created_by: string;
  envelope: string;
}

function toRecord(r: NoticeRow): NoticeRecord {
  return {
    id: r.id,
    nodeId: r.node_id,
    roles: fromJson<DeviceRole[]>(r.roles),
    category: r.category,
    priority: r.priority,
    publishedAt: r.published_at,
    expiresAt: r.expires_at,
    createdBy: r.created_by,
    envelope: JSON.parse(r.envelope) as Signed<Notice>,
  };
}

export class SqliteNotices implements NoticeRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async count(): Promise<number> {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM notices').get() as { n: number }).n;
  }

  async create(n: NoticeRecord, targetNodeIds: readonly string[]): Promise<void> {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO notices (id, node_id, roles, category, priority, published_at, expires_at, created_by, envelope)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          n.id,
          n.nodeId,
          toJson(n.roles),
          n.category,
          n.priority,
          n.publishedAt,
          n.expiresAt,
          n.createdBy,
          JSON.stringify(n.envelope),
        );
      const target = this.#db.prepare('INSERT INTO notice_targets (notice_id, node_id) VALUES (?, ?)');
      for (const nodeId of new Set(targetNodeIds)) target.run(n.id, nodeId);
    })();
  }

  async listForNodes(nodeIds: readonly string[], now: number): Promise<NoticeRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = this.#db
      .prepare(
        `SELECT DISTINCT n.* FROM notices n JOIN notice_targets t ON t.notice_id = n.id
         WHERE t.node_id IN (${nodeIds.map(() => '?').join(',')})
           AND (n.expires_at IS NULL OR n.expires_at > ?)
         ORDER BY n.published_at, n.id`,
      )
      .all(...nodeIds, now) as NoticeRow[];
    return rows.map(toRecord);
  }
}
