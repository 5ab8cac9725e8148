import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { ServiceCategory } from '../../../../protocol/schemas/services.js';
import type {
  CategoryUpdate,
  CategoryView,
  MatterInput,
  MatterListQuery,
  MatterView,
  OfficeInput,
  OfficeView,
} from '../../../../protocol/schemas/services-admin.js';
import type { DeviceNotifier } from '../../hub/device-hub.js';
import type { NodeRecord } from '../../storage/records.js';
import type { Repository } from '../../storage/repository.js';
import type {
  CategoryRecord,
  MatterRecord,
  OfficeRecord,
  ServiceAuditInput,
} from '../../storage/services-records.js';
import { type AdminPrincipal, iso } from '../context.js';
import { type HierarchyService, isWithin } from '../hierarchy.js';
import { spreadFor } from '../notices/device-targeting.js';
import { requirePermission } from '../permissions.js';
import { normaliseMatter, normaliseOffice } from './catalogue-validation.js';

export interface CatalogueDeps {
  repo: Repository;
  hierarchy: HierarchyService;
  notifier: DeviceNotifier;
  now: () => number;
}

export const matterView = (r: MatterRecord): MatterView => ({
  ...r.matter,
  nodeId: r.nodeId,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
  updatedBy: r.updatedBy,
});

export const officeView = (r: OfficeRecord): OfficeView => ({
  ...r.office,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

/**
 * The service catalogue as admins edit it: categories (city-wide, city admins), matters owned by a node
 * (admins of that node's branch) and community offices. Every change is audited with the change, and the
 * kiosks whose catalogue it touches are told to sync: their manifest, and so their signed TUF view, changes.
 */
export class CatalogueService {
  readonly #d: CatalogueDeps;

  constructor(deps: CatalogueDeps) {
    this.#d = deps;
  }

  // --- categories

  async listCategories(): Promise<CategoryView[]> {
    const counts = await this.#d.repo.services.countMattersByCategory();
    return (await this.#d.repo.services.listCategories()).map((c) => categoryView(c, counts.get(c.id) ?? 0));
  }

  async getCategory(id: string): Promise<CategoryView> {
    const c = await this.#category(id);
    return categoryView(c, (await this.#d.repo.services.countMattersByCategory()).get(id) ?? 0);
  }

  async createCategory(p: AdminPrincipal, req: ServiceCategory): Promise<CategoryView> {
    this.#cityAdmin(p);
    const now = this.#d.now();
    const record: CategoryRecord = { ...req, name: trimText(req.name), createdAt: now, updatedAt: now };
    if (!(await this.#d.repo.services.createCategory(record, this.#audit(p, 'create', 'category', req.id)))) {
      throw new LinliError(ErrorCode.CONFLICT, `category "${req.id}" exists; edit it or choose another id`, {
        field: 'body/id',
      });
    }
    return categoryView(record, 0);
  }

  async updateCategory(p: AdminPrincipal, id: string, req: CategoryUpdate): Promise<CategoryView> {
    this.#cityAdmin(p);
    const cur = await this.#category(id);
    const next: CategoryRecord = { ...cur, ...req, name: trimText(req.name), updatedAt: this.#d.now() };
    await this.#d.repo.services.updateCategory(next, this.#audit(p, 'update', 'category', id));
    const users = await this.#mattersInCategory(id);
    await this.#sync(users.map((m) => m.nodeId));
    return categoryView(next, users.length);
  }

  async deleteCategory(p: AdminPrincipal, id: string): Promise<void> {
    this.#cityAdmin(p);
    const res = await this.#d.repo.services.deleteCategory(id, this.#audit(p, 'delete', 'category', id));
    if (res === 'missing') throw notFoundCategory(id, 'id');
    if (res === 'in_use') {
      throw new LinliError(
        ErrorCode.CONFLICT,
        `category "${id}" still has matters; move or delete them first`,
        { field: 'id' },
      );
    }
  }

  // --- matters

  async listMatters(p: AdminPrincipal, q: MatterListQuery): Promise<MatterView[]> {
    const root = q.nodeId ? await this.#d.hierarchy.nodeInScope(p, q.nodeId, 'querystring/nodeId') : p.node;
    const ids = (await this.#d.repo.nodes.listSubtree(root.id)).map((n) => n.id);
    const all = await this.#d.repo.services.listMattersForNodes(ids);
    return all.filter((m) => !q.categoryId || m.matter.categoryId === q.categoryId).map(matterView);
  }

  async getMatter(p: AdminPrincipal, id: string): Promise<MatterView> {
    return matterView(await this.#matterInScope(p, id));
  }

  async createMatter(p: AdminPrincipal, req: MatterInput): Promise<MatterView> {
    return this.#saveMatter(p, undefined, req);
  }

  async updateMatter(p: AdminPrincipal, id: string, req: MatterInput): Promise<MatterView> {
    return this.#saveMatter(p, await this.#matterInScope(p, id), req);
  }

  async deleteMatter(p: AdminPrincipal, id: string): Promise<void> {
    this.#admin(p);
    const cur = await this.#matterInScope(p, id);
    const now = this.#d.now();
    await this.#d.repo.services.deleteMatter(id, now, this.#audit(p, 'delete', 'matter', id));
    await this.#sync([cur.nodeId]);
  }

  async #saveMatter(p: AdminPrincipal, cur: MatterRecord | undefined, req: MatterInput): Promise<MatterView> {
    this.#admin(p);
    const node = await this.#d.hierarchy.nodeInScope(p, req.nodeId, 'body/nodeId');
    const fields = normaliseMatter(req);
    await this.#category(fields.categoryId, 'body/categoryId');
    if (fields.officeId) await this.#officeRelatedTo(p, fields.officeId, node);
    const now = this.#d.now();
    const id = cur?.matter.id ?? newId('svc', now);
    const record: MatterRecord = {
      matter: { id, ...fields },
      nodeId: node.id,
      createdBy: cur?.createdBy ?? p.admin.id,
      updatedBy: p.admin.id,
      createdAt: cur?.createdAt ?? now,
      updatedAt: Math.max(now, (cur?.updatedAt ?? 0) + 1),
    };
    await this.#d.repo.services.saveMatter(
      record,
      this.#audit(p, cur ? 'update' : 'create', 'matter', id, { nodeId: node.id }),
    );
    await this.#sync(cur ? [cur.nodeId, node.id] : [node.id]);
    return matterView(record);
  }

  // --- offices

  async listOffices(p: AdminPrincipal, nodeId?: string): Promise<OfficeView[]> {
    const root = nodeId ? await this.#d.hierarchy.nodeInScope(p, nodeId, 'querystring/nodeId') : p.node;
    const ids = (await this.#d.repo.nodes.listSubtree(root.id)).map((n) => n.id);
    return (await this.#d.repo.services.listOfficesForNodes(ids)).map(officeView);
  }

  async getOffice(p: AdminPrincipal, id: string): Promise<OfficeView> {
    return officeView(await this.officeInScope(p, id));
  }

  async createOffice(p: AdminPrincipal, req: OfficeInput): Promise<OfficeView> {
    return this.#saveOffice(p, undefined, req);
  }

  async updateOffice(p: AdminPrincipal, id: string, req: OfficeInput): Promise<OfficeView> {
    return this.#saveOffice(p, await this.officeInScope(p, id), req);
  }

  async deleteOffice(p: AdminPrincipal, id: string): Promise<void> {
    this.#admin(p);
    const cur = await this.officeInScope(p, id);
    const users = await this.#d.repo.services.listMattersForOffice(id);
    if (users.length > 0) {
      throw new LinliError(
        ErrorCode.CONFLICT,
        `office ${id} handles ${users.length} matter(s) (${users[0]!.matter.name.zh}…); point them at another office first`,
        { field: 'id' },
      );
    }
    const now = this.#d.now();
    const open = await this.#d.repo.appointments.countOpenFrom(id, now);
    if (open > 0) {
      throw new LinliError(
        ErrorCode.CONFLICT,
        `office ${id} has ${open} booked appointment(s) still to come; cancel them first`,
        { field: 'id' },
      );
    }
    await this.#d.repo.services.deleteOffice(id, now, this.#audit(p, 'delete', 'office', id));
    await this.#sync([cur.office.nodeId]);
  }

  async #saveOffice(p: AdminPrincipal, cur: OfficeRecord | undefined, req: OfficeInput): Promise<OfficeView> {
    this.#admin(p);
    const node = await this.#d.hierarchy.nodeInScope(p, req.nodeId, 'body/nodeId');
    if (node.level !== 'community') {
      throw new LinliError(
        ErrorCode.NODE_LEVEL,
        `${node.name} is a ${node.level}; an appointment office belongs to a community, create it there`,
        { field: 'body/nodeId' },
      );
    }
    const fields = normaliseOffice(req);
    const now = this.#d.now();
    const id = cur?.office.id ?? newId('ofc', now);
    const record: OfficeRecord = {
      office: { id, nodeId: node.id, ...fields },
      createdAt: cur?.createdAt ?? now,
      updatedAt: Math.max(now, (cur?.updatedAt ?? 0) + 1),
    };
    await this.#d.repo.services.saveOffice(
      record,
      this.#audit(p, cur ? 'update' : 'create', 'office', id, { nodeId: node.id }),
    );
    const users = await this.#d.repo.services.listMattersForOffice(id);
    await this.#sync([node.id, ...(cur ? [cur.office.nodeId] : []), ...users.map((m) => m.nodeId)]);
    return officeView(record);
  }

  /** The office, if it exists and its community lies in the admin's subtree. */
  async officeInScope(p: AdminPrincipal, id: string, field = 'id'): Promise<OfficeRecord> {
    const office = await this.#d.repo.services.getOffice(id);
    const node = office ? await this.#d.repo.nodes.get(office.office.nodeId) : undefined;
    if (!office || !node || !isWithin(node, p.node.id)) {
      throw new LinliError(ErrorCode.OFFICE_NOT_FOUND, `no office ${id} in your part of the hierarchy`, {
        field,
      });
    }
    return office;
  }

  // --- internals

  async #matterInScope(p: AdminPrincipal, id: string): Promise<MatterRecord> {
    const m = await this.#d.repo.services.getMatter(id);
    const node = m ? await this.#d.repo.nodes.get(m.nodeId) : undefined;
    if (!m || !node || !isWithin(node, p.node.id)) {
      throw new LinliError(ErrorCode.MATTER_NOT_FOUND, `no matter ${id} in your part of the hierarchy`, {
        field: 'id',
      });
    }
    return m;
  }

  async #category(id: string, field = 'id'): Promise<CategoryRecord> {
    const c = await this.#d.repo.services.getCategory(id);
    if (!c) throw notFoundCategory(id, field);
    return c;
  }

  async #mattersInCategory(id: string): Promise<MatterRecord[]> {
    const roots = await this.#d.repo.nodes.listRoots();
    const ids = (await Promise.all(roots.map((r) => this.#d.repo.nodes.listSubtree(r.id)))).flat();
    const all = await this.#d.repo.services.listMattersForNodes(ids.map((n) => n.id));
    return all.filter((m) => m.matter.categoryId === id);
  }

  /** A matter may name an office of its own branch: one above its node (a street's) or below it. */
  async #officeRelatedTo(p: AdminPrincipal, officeId: string, node: NodeRecord): Promise<void> {
    const office = await this.#d.repo.services.getOffice(officeId);
    const officeNode = office ? await this.#d.repo.nodes.get(office.office.nodeId) : undefined;
    // The admin sees the offices of its subtree and those above it; any other answers like an unknown id.
    const visible =
      officeNode !== undefined && (isWithin(officeNode, p.node.id) || isWithin(p.node, officeNode.id));
    if (!office || !officeNode || !visible) {
      throw new LinliError(ErrorCode.OFFICE_NOT_FOUND, `no office ${officeId}; create it first`, {
        field: 'body/officeId',
      });
    }
    if (!isWithin(node, officeNode.id) && !isWithin(officeNode, node.id)) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `body/officeId: office ${officeId} serves another branch of the hierarchy than ${node.name}; name an office above or below it`,
        { field: 'body/officeId' },
      );
    }
  }

  #admin(p: AdminPrincipal): void {
    requirePermission(p, 'catalogue.write');
  }

  #cityAdmin(p: AdminPrincipal): void {
    this.#admin(p);
    if (p.node.level !== 'city') {
      throw new LinliError(
        ErrorCode.SCOPE,
        `service categories are city-wide; you are at the ${p.node.level} "${p.node.name}": ask a city admin`,
      );
    }
  }

  #audit(
    p: AdminPrincipal,
    action: ServiceAuditInput['action'],
    entity: ServiceAuditInput['entity'],
    entityId: string,
    detail: Record<string, unknown> | null = null,
  ): ServiceAuditInput {
    return { at: this.#d.now(), actor: `admin:${p.admin.id}`, action, entity, entityId, detail };
  }

  /** Tells the active kiosks under these nodes to sync: their manifest changed, a new TUF view is due. */
  async #sync(nodeIds: readonly string[]): Promise<{ targeted: number; notified: number }> {
    const ids = new Set<string>();
    for (const nodeId of new Set(nodeIds)) {
      for (const id of await this.#d.repo.devices.listActiveIds(nodeId, ['kiosk'])) ids.add(id);
    }
    const notified = this.#d.notifier.notify(ids, {
      type: 'sync',
      topic: 'content',
      spreadMs: spreadFor(ids.size),
    });
    return { targeted: ids.size, notified };
  }
}

function categoryView(c: CategoryRecord, matters: number): CategoryView {
  return { id: c.id, name: c.name, icon: c.icon, order: c.order, matters, updatedAt: iso(c.updatedAt) };
}

function notFoundCategory(id: string, field: string): LinliError {
  return new LinliError(
    ErrorCode.CATEGORY_NOT_FOUND,
    `no service category "${id}"; list them with GET /api/v1/admin/service-categories`,
    { field },
  );
}

function trimText(t: { zh: string; en?: string }): { zh: string; en?: string } {
  const zh = t.zh.trim();
  const en = t.en?.trim();
  if (!zh) {
    throw new LinliError(ErrorCode.BAD_REQUEST, 'body/name/zh is blank; write the Chinese name', {
      field: 'body/name/zh',
    });
  }
  return en ? { zh, en } : { zh };
}
