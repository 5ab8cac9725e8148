import type { Database } from 'better-sqlite3';
import type { Matter, Office } from '../../../../protocol/schemas/services.js';
import type {
  AuditEntity,
  CategoryRecord,
  MatterRecord,
  OfficeRecord,
  ServiceAuditInput,
  ServiceAuditRecord,
} from '../services-records.js';
import type { DeleteCategoryResult, ServiceRepository } from '../services-repository.js';
import { isUniqueViolation } from './rows.js';
import { prepared } from './statements.js';

interface CategoryRow {
  id: string;
  name: string;
  icon: string;
  ord: number;
  created_at: number;
  updated_at: number;
}

interface MatterRow {
  body: string;
  node_id: string;
  created_by: string;
  updated_by: string;
  created_at: number;
  updated_at: number;
}

interface OfficeRow {
  body: string;
  created_at: number;
  updated_at: number;
}

const category = (r: CategoryRow): CategoryRecord => ({
  id: r.id,
  name: JSON.parse(r.name) as CategoryRecord['name'],
  icon: r.icon,
  order: r.ord,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const matter = (r: MatterRow): MatterRecord => ({
  matter: JSON.parse(r.body) as Matter,
  nodeId: r.node_id,
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const office = (r: OfficeRow): OfficeRecord => ({
  office: JSON.parse(r.body) as Office,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const marks = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Categories, matters and offices; matters and offices are soft-deleted so old appointments keep theirs. */
export class SqliteServices implements ServiceRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  #audit(a: ServiceAuditInput): void {
    prepared(
      this.#db,
      'INSERT INTO service_audit (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(a.at, a.actor, a.action, a.entity, a.entityId, a.detail ? JSON.stringify(a.detail) : null);
  }

  async isPristine(): Promise<boolean> {
    const row = prepared(
      this.#db,
      `SELECT (SELECT COUNT(*) FROM service_categories) + (SELECT COUNT(*) FROM service_matters)
           + (SELECT COUNT(*) FROM service_audit WHERE entity <> 'appointment') AS n`,
    ).get() as { n: number };
    return row.n === 0;
  }

  // --- categories

  async listCategories(): Promise<CategoryRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT * FROM service_categories ORDER BY ord, id',
    ).all() as CategoryRow[];
    return rows.map(category);
  }

  async getCategory(id: string): Promise<CategoryRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM service_categories WHERE id = ?').get(id) as
      | CategoryRow
      | undefined;
    return r ? category(r) : undefined;
  }

  async createCategory(c: CategoryRecord, audit: ServiceAuditInput): Promise<boolean> {
    try {
      this.#db.transaction(() => {
        prepared(
          this.#db,
          'INSERT INTO service_categories (id, name, icon, ord, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(c.id, JSON.stringify(c.name), c.icon, c.order, c.createdAt, c.updatedAt);
        this.#audit(audit);
      })();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async updateCategory(c: CategoryRecord, audit: ServiceAuditInput): Promise<boolean> {
    return this.#db.transaction(() => {
      const changed = prepared(
        this.#db,
        'UPDATE service_categories SET name = ?, icon = ?, ord = ?, updated_at = ? WHERE id = ?',
      ).run(JSON.stringify(c.name), c.icon, c.order, c.updatedAt, c.id).changes;
      if (changed === 1) this.#audit(audit);
      return changed === 1;
    })();
  }

  async deleteCategory(id: string, audit: ServiceAuditInput): Promise<DeleteCategoryResult> {
    return this.#db.transaction((): DeleteCategoryResult => {
      const used = prepared(
        this.#db,
        'SELECT COUNT(*) AS n FROM service_matters WHERE category_id = ? AND deleted_at IS NULL',
      ).get(id) as { n: number };
      if (used.n > 0) return 'in_use';
      if (prepared(this.#db, 'DELETE FROM service_categories WHERE id = ?').run(id).changes === 0) {
        return 'missing';
      }
      this.#audit(audit);
      return 'deleted';
    })();
  }

  async countMattersByCategory(): Promise<Map<string, number>> {
    const rows = prepared(
      this.#db,
      'SELECT category_id, COUNT(*) AS n FROM service_matters WHERE deleted_at IS NULL GROUP BY category_id',
    ).all() as { category_id: string; n: number }[];
    return new Map(rows.map((r) => [r.category_id, r.n]));
  }

  // --- matters

  async getMatter(id: string): Promise<MatterRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM service_matters WHERE id = ? AND deleted_at IS NULL').get(
      id,
    ) as MatterRow | undefined;
    return r ? matter(r) : undefined;
  }

  async listMattersForNodes(nodeIds: readonly string[]): Promise<MatterRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = prepared(
      this.#db,
      `SELECT * FROM service_matters WHERE deleted_at IS NULL AND node_id IN (${marks(nodeIds.length)})
         ORDER BY ord, id`,
    ).all(...nodeIds) as MatterRow[];
    return rows.map(matter);
  }

  async listMattersForOffice(officeId: string): Promise<MatterRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT * FROM service_matters WHERE deleted_at IS NULL AND office_id = ? ORDER BY ord, id',
    ).all(officeId) as MatterRow[];
    return rows.map(matter);
  }

  async saveMatter(m: MatterRecord, audit: ServiceAuditInput): Promise<void> {
    this.#db.transaction(() => {
      prepared(
        this.#db,
        `INSERT INTO service_matters (id, node_id, category_id, office_id, ord, body, created_by, updated_by,
             created_at, updated_at, deleted_at)
           VALUES (@id, @node, @category, @office, @ord, @body, @createdBy, @updatedBy, @createdAt, @updatedAt, NULL)
           ON CONFLICT(id) DO UPDATE SET node_id = @node, category_id = @category, office_id = @office,
             ord = @ord, body = @body, updated_by = @updatedBy, updated_at = @updatedAt`,
      ).run({
        id: m.matter.id,
        node: m.nodeId,
        category: m.matter.categoryId,
        office: m.matter.officeId ?? null,
        ord: m.matter.order,
        body: JSON.stringify(m.matter),
        createdBy: m.createdBy,
        updatedBy: m.updatedBy,
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
      });
      this.#audit(audit);
    })();
  }

  async deleteMatter(id: string, at: number, audit: ServiceAuditInput): Promise<boolean> {
    return this.#db.transaction(() => {
      const changed = prepared(
        this.#db,
        'UPDATE service_matters SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL',
      ).run(at, at, id).changes;
      if (changed === 1) this.#audit(audit);
      return changed === 1;
    })();
  }

  // --- offices

  async getOffice(id: string): Promise<OfficeRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM service_offices WHERE id = ? AND deleted_at IS NULL').get(
      id,
    ) as OfficeRow | undefined;
    return r ? office(r) : undefined;
  }

  async getOffices(ids: readonly string[]): Promise<OfficeRecord[]> {
    if (ids.length === 0) return [];
    const rows = prepared(
      this.#db,
      `SELECT * FROM service_offices WHERE deleted_at IS NULL AND id IN (${marks(ids.length)}) ORDER BY id`,
    ).all(...ids) as OfficeRow[];
    return rows.map(office);
  }

  async listOfficesForNodes(nodeIds: readonly string[]): Promise<OfficeRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = prepared(
      this.#db,
      `SELECT * FROM service_offices WHERE deleted_at IS NULL AND node_id IN (${marks(nodeIds.length)})
         ORDER BY created_at, id`,
    ).all(...nodeIds) as OfficeRow[];
    return rows.map(office);
  }

  async saveOffice(o: OfficeRecord, audit: ServiceAuditInput): Promise<void> {
    this.#db.transaction(() => {
      prepared(
        this.#db,
        `INSERT INTO service_offices (id, node_id, body, created_at, updated_at, deleted_at)
           VALUES (@id, @node, @body, @createdAt, @updatedAt, NULL)
           ON CONFLICT(id) DO UPDATE SET node_id = @node, body = @body, updated_at = @updatedAt`,
      ).run({
        id: o.office.id,
        node: o.office.nodeId,
        body: JSON.stringify(o.office),
        createdAt: o.createdAt,
        updatedAt: o.updatedAt,
      });
      this.#audit(audit);
    })();
  }

  async deleteOffice(id: string, at: number, audit: ServiceAuditInput): Promise<boolean> {
    return this.#db.transaction(() => {
      const changed = prepared(
        this.#db,
        'UPDATE service_offices SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL',
      ).run(at, at, id).changes;
      if (changed === 1) this.#audit(audit);
      return changed === 1;
    })();
  }

  async listAudit(entity: AuditEntity, entityId: string): Promise<ServiceAuditRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT * FROM service_audit WHERE entity = ? AND entity_id = ? ORDER BY seq',
    ).all(entity, entityId) as {
      seq: number;
      at: number;
      actor: string;
      action: ServiceAuditInput['action'];
      entity: AuditEntity;
      entity_id: string;
      detail: string | null;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
  }
}
