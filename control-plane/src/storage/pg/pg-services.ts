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
import { isPgUniqueViolation, type PgDatabase } from './pg-database.js';
import { fromPgJson } from './pg-json.js';
import { appendServiceAudit } from './pg-service-audit.js';

interface CategoryRow {
  id: string;
  name: unknown;
  icon: string;
  ord: number;
  created_at: number;
  updated_at: number;
}

interface MatterRow {
  body: unknown;
  node_id: string;
  created_by: string;
  updated_by: string;
  created_at: number;
  updated_at: number;
}

interface OfficeRow {
  body: unknown;
  created_at: number;
  updated_at: number;
}

const category = (r: CategoryRow): CategoryRecord => ({
  id: r.id,
  name: fromPgJson<CategoryRecord['name']>(r.name)!,
  icon: r.icon,
  order: r.ord,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const matter = (r: MatterRow): MatterRecord => ({
  matter: fromPgJson<Matter>(r.body)!,
  nodeId: r.node_id,
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const office = (r: OfficeRow): OfficeRecord => ({
  office: fromPgJson<Office>(r.body)!,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Categories, matters and offices; matters and offices are soft-deleted so old appointments keep theirs. */
export class PgServices implements ServiceRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async isPristine(): Promise<boolean> {
    const row = (
      await this.#db.query<{ n: number }>(
        `SELECT (SELECT COUNT(*) FROM service_categories) + (SELECT COUNT(*) FROM service_matters)
           + (SELECT COUNT(*) FROM service_audit WHERE entity <> 'appointment') AS n`,
      )
    ).rows[0]!;
    return row.n === 0;
  }

  // --- categories

  async listCategories(): Promise<CategoryRecord[]> {
    return (await this.#db.query<CategoryRow>('SELECT * FROM service_categories ORDER BY ord, id')).rows.map(
      category,
    );
  }

  async getCategory(id: string): Promise<CategoryRecord | undefined> {
    const r = (await this.#db.query<CategoryRow>('SELECT * FROM service_categories WHERE id = $1', [id]))
      .rows[0];
    return r ? category(r) : undefined;
  }

  async createCategory(c: CategoryRecord, audit: ServiceAuditInput): Promise<boolean> {
    try {
      await this.#db.tx(async (q) => {
        await q.query(
          'INSERT INTO service_categories (id, name, icon, ord, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [c.id, JSON.stringify(c.name), c.icon, c.order, c.createdAt, c.updatedAt],
        );
        await appendServiceAudit(q, audit);
      });
      return true;
    } catch (err) {
      if (isPgUniqueViolation(err)) return false;
      throw err;
    }
  }

  async updateCategory(c: CategoryRecord, audit: ServiceAuditInput): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const changed = (
        await q.query(
          'UPDATE service_categories SET name = $1, icon = $2, ord = $3, updated_at = $4 WHERE id = $5',
          [JSON.stringify(c.name), c.icon, c.order, c.updatedAt, c.id],
        )
      ).rowCount;
      if (changed === 1) await appendServiceAudit(q, audit);
      return changed === 1;
    });
  }

  async deleteCategory(id: string, audit: ServiceAuditInput): Promise<DeleteCategoryResult> {
    return this.#db.tx(async (q): Promise<DeleteCategoryResult> => {
      // The row lock makes the in-use check and the delete one step against saveMatter, which takes a share
      // lock on its category: a matter cannot land in a category that is being deleted.
      const found = (await q.query('SELECT 1 FROM service_categories WHERE id = $1 FOR UPDATE', [id]))
        .rowCount;
      const used = (
        await q.query<{ n: number }>(
          'SELECT COUNT(*)::int AS n FROM service_matters WHERE category_id = $1 AND deleted_at IS NULL',
          [id],
        )
      ).rows[0]!;
      if (used.n > 0) return 'in_use';
      if (found === 0) return 'missing';
      await q.query('DELETE FROM service_categories WHERE id = $1', [id]);
      await appendServiceAudit(q, audit);
      return 'deleted';
    });
  }

  async countMattersByCategory(): Promise<Map<string, number>> {
    const rows = (
      await this.#db.query<{ category_id: string; n: number }>(
        'SELECT category_id, COUNT(*) AS n FROM service_matters WHERE deleted_at IS NULL GROUP BY category_id',
      )
    ).rows;
    return new Map(rows.map((r) => [r.category_id, r.n]));
  }

  // --- matters

  async getMatter(id: string): Promise<MatterRecord | undefined> {
    const r = (
      await this.#db.query<MatterRow>('SELECT * FROM service_matters WHERE id = $1 AND deleted_at IS NULL', [
        id,
      ])
    ).rows[0];
    return r ? matter(r) : undefined;
  }

  async listMattersForNodes(nodeIds: readonly string[]): Promise<MatterRecord[]> {
    if (nodeIds.length === 0) return [];
    return (
      await this.#db.query<MatterRow>(
        'SELECT * FROM service_matters WHERE deleted_at IS NULL AND node_id = ANY($1::text[]) ORDER BY ord, id',
        [[...nodeIds]],
      )
    ).rows.map(matter);
  }

  async listMattersForOffice(officeId: string): Promise<MatterRecord[]> {
    return (
      await this.#db.query<MatterRow>(
        'SELECT * FROM service_matters WHERE deleted_at IS NULL AND office_id = $1 ORDER BY ord, id',
        [officeId],
      )
    ).rows.map(matter);
  }

  async saveMatter(m: MatterRecord, audit: ServiceAuditInput): Promise<void> {
    await this.#db.tx(async (q) => {
      await q.query('SELECT 1 FROM service_categories WHERE id = $1 FOR SHARE', [m.matter.categoryId]);
      await q.query(
        `INSERT INTO service_matters (id, node_id, category_id, office_id, ord, body, created_by, updated_by,
           created_at, updated_at, deleted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)
         ON CONFLICT (id) DO UPDATE SET node_id = excluded.node_id, category_id = excluded.category_id,
           office_id = excluded.office_id, ord = excluded.ord, body = excluded.body,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [
          m.matter.id,
          m.nodeId,
          m.matter.categoryId,
          m.matter.officeId ?? null,
          m.matter.order,
          JSON.stringify(m.matter),
          m.createdBy,
          m.updatedBy,
          m.createdAt,
          m.updatedAt,
        ],
      );
      await appendServiceAudit(q, audit);
    });
  }

  async deleteMatter(id: string, at: number, audit: ServiceAuditInput): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const changed = (
        await q.query(
          'UPDATE service_matters SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL',
          [at, id],
        )
      ).rowCount;
      if (changed === 1) await appendServiceAudit(q, audit);
      return changed === 1;
    });
  }

  // --- offices

  async getOffice(id: string): Promise<OfficeRecord | undefined> {
    const r = (
      await this.#db.query<OfficeRow>('SELECT * FROM service_offices WHERE id = $1 AND deleted_at IS NULL', [
        id,
      ])
    ).rows[0];
    return r ? office(r) : undefined;
  }

  async getOffices(ids: readonly string[]): Promise<OfficeRecord[]> {
    if (ids.length === 0) return [];
    return (
      await this.#db.query<OfficeRow>(
        'SELECT * FROM service_offices WHERE deleted_at IS NULL AND id = ANY($1::text[]) ORDER BY id',
        [[...ids]],
      )
    ).rows.map(office);
  }

  async listOfficesForNodes(nodeIds: readonly string[]): Promise<OfficeRecord[]> {
    if (nodeIds.length === 0) return [];
    return (
      await this.#db.query<OfficeRow>(
        `SELECT * FROM service_offices WHERE deleted_at IS NULL AND node_id = ANY($1::text[])
         ORDER BY created_at, id`,
        [[...nodeIds]],
      )
    ).rows.map(office);
  }

  async saveOffice(o: OfficeRecord, audit: ServiceAuditInput): Promise<void> {
    await this.#db.tx(async (q) => {
      await q.query(
        `INSERT INTO service_offices (id, node_id, body, created_at, updated_at, deleted_at)
         VALUES ($1, $2, $3, $4, $5, NULL)
         ON CONFLICT (id) DO UPDATE SET node_id = excluded.node_id, body = excluded.body,
           updated_at = excluded.updated_at`,
        [o.office.id, o.office.nodeId, JSON.stringify(o.office), o.createdAt, o.updatedAt],
      );
      await appendServiceAudit(q, audit);
    });
  }

  async deleteOffice(id: string, at: number, audit: ServiceAuditInput): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const changed = (
        await q.query(
          'UPDATE service_offices SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL',
          [at, id],
        )
      ).rowCount;
      if (changed === 1) await appendServiceAudit(q, audit);
      return changed === 1;
    });
  }

  async listAudit(entity: AuditEntity, entityId: string): Promise<ServiceAuditRecord[]> {
    const rows = (
      await this.#db.query<{
        seq: number;
        at: number;
        actor: string;
        action: ServiceAuditInput['action'];
        entity: AuditEntity;
        entity_id: string;
        detail: unknown;
      }>('SELECT * FROM service_audit WHERE entity = $1 AND entity_id = $2 ORDER BY seq', [entity, entityId])
    ).rows;
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      detail: fromPgJson<Record<string, unknown>>(r.detail),
    }));
  }
}
