import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { AdminView, NodeView } from '../../../protocol/schemas/admin.js';
import type {
  MovedSetting,
  MoveNodeReport,
  MoveNodeRequest,
} from '../../../protocol/schemas/node-lifecycle.js';
import type { DeviceNotifier } from '../hub/device-hub.js';
import type { AdminRecord, DeviceRecord, NodeRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type NodeValues, resolveDevice } from './config/resolve-settings.js';
import type { AdminPrincipal } from './context.js';
import { childLevel, type HierarchyService, isWithin } from './hierarchy.js';
import { spreadFor } from './notices/device-targeting.js';
import { requirePermission } from './permissions.js';

export interface NodeLifecycleDeps {
  repo: Repository;
  hierarchy: HierarchyService;
  notifier: DeviceNotifier;
  now: () => number;
}

function adminView(a: AdminRecord): AdminView {
  return { id: a.id, username: a.username, role: a.role, nodeId: a.nodeId };
}

/**
 * Renaming and moving nodes (issue 13). A move keeps the level rule (a community goes under a street, a
 * street under a district; the city never moves), needs the node and the new parent both in the actor's
 * scope, and can be asked as a dry run first. The real move raises the node's config revision (so a device's
 * target version only grows though its chain changed), rewrites the subtree's ancestry in one transaction,
 * tells every instance over the bus (`nodes-changed`: trees reload, hubs re-place connected devices), and
 * asks the devices below it to sync content and config.
 */
export class NodeLifecycleService {
  readonly #d: NodeLifecycleDeps;

  constructor(deps: NodeLifecycleDeps) {
    this.#d = deps;
  }

  async rename(principal: AdminPrincipal, nodeId: string, rawName: string): Promise<NodeView> {
    requirePermission(principal, 'nodes.update');
    const node = await this.#d.hierarchy.nodeInScope(principal, nodeId, 'id');
    const name = rawName.trim();
    if (name.length === 0) {
      throw new LinliError(ErrorCode.BAD_REQUEST, 'a node name cannot be blank; send the new name', {
        field: 'name',
      });
    }
    if (name !== node.name) {
      try {
        await this.#d.repo.nodes.rename(node.id, name);
      } finally {
        this.#d.hierarchy.changed(node.id);
      }
    }
    return this.#d.hierarchy.view((await this.#d.hierarchy.node(node.id)) ?? node);
  }

  async move(principal: AdminPrincipal, nodeId: string, req: MoveNodeRequest): Promise<MoveNodeReport> {
    requirePermission(principal, 'nodes.move');
    const h = this.#d.hierarchy;
    const node = await h.nodeInScope(principal, nodeId, 'id');
    const parent = await h.nodeInScope(principal, req.parentId, 'parentId');
    if (!node.parentId) {
      throw new LinliError(
        ErrorCode.NODE_LEVEL,
        `${node.name} is the city, the top of the tree; it cannot move`,
        {
          field: 'id',
        },
      );
    }
    if (childLevel(parent.level) !== node.level) {
      throw new LinliError(
        ErrorCode.NODE_LEVEL,
        `a ${node.level} goes under a node one level above it, not under the ${parent.level} "${parent.name}"`,
        { field: 'parentId', parentLevel: parent.level, level: node.level },
      );
    }
    if (parent.id === node.parentId) {
      throw new LinliError(ErrorCode.BAD_REQUEST, `${node.name} is already under ${parent.name}`, {
        field: 'parentId',
      });
    }
    const report = await this.#preview(node, parent);
    if (req.dryRun) return report;

    const by = principal.admin.id;
    // First the revision, then the move: a failed move only leaves a harmless extra revision.
    await this.#d.repo.config.touchScope({ kind: 'node', id: node.id }, by, this.#d.now());
    try {
      await this.#d.repo.nodes.move(node.id, parent.id);
    } finally {
      h.changed(node.id);
    }
    const moved = (await h.node(node.id)) ?? node;
    const ids = report.devices.map((d) => d.id);
    if (ids.length > 0) {
      const spreadMs = spreadFor(ids.length);
      this.#d.notifier.notify(ids, { type: 'sync', topic: 'content', spreadMs });
      this.#d.notifier.notify(ids, { type: 'sync', topic: 'config', spreadMs });
    }
    return { ...report, dryRun: false, node: await h.view(moved) };
  }

  /**
   * Removes an empty node. Empty: no child nodes, no active devices, no accounts scoped to it (checked here,
   * named in the 409), and no row anywhere that still names it — a revoked device, an enrollment token, a
   * notice (live or past), a card, an office — which the store's foreign keys refuse (`records` in the 409).
   * Such a node stays: history keeps its meaning; rename it instead.
   */
  async retire(principal: AdminPrincipal, nodeId: string): Promise<NodeView> {
    requirePermission(principal, 'nodes.retire');
    const h = this.#d.hierarchy;
    const node = await h.nodeInScope(principal, nodeId, 'id');
    const view = await h.view(node);
    const children = (await h.tree()).children(node.id).length;
    const devices = (await this.#d.repo.devices.listActiveIds(node.id)).length;
    const accounts = (await this.#d.repo.admins.list()).filter((a) => a.nodeId === node.id).length;
    const left = { children, devices, accounts };
    if (children + devices + accounts > 0) {
      const named = [
        children > 0 ? `${children} child node(s)` : '',
        devices > 0 ? `${devices} active device(s)` : '',
        accounts > 0 ? `${accounts} account(s)` : '',
      ].filter(Boolean);
      throw new LinliError(
        ErrorCode.NODE_NOT_EMPTY,
        `${node.name} still has ${named.join(', ')}; move, revoke or reassign them first`,
        { field: 'id', left },
      );
    }
    const outcome = await this.#d.repo.nodes.remove(node.id);
    if (outcome === 'referenced') {
      throw new LinliError(
        ErrorCode.NODE_NOT_EMPTY,
        `records still name ${node.name} (revoked devices, enrollment tokens, notices, cards or offices); it stays so history keeps its meaning — rename it instead`,
        { field: 'id', left: { ...left, records: true } },
      );
    }
    h.changed(node.id);
    if (outcome === 'missing') {
      throw new LinliError(
        ErrorCode.NODE_NOT_FOUND,
        `no node ${nodeId}; list nodes with GET /api/v1/admin/nodes`,
        {
          field: 'id',
        },
      );
    }
    return view;
  }

  /** What moving `node` under `parent` does, read from the current state; writes nothing. */
  async #preview(node: NodeRecord, parent: NodeRecord): Promise<MoveNodeReport> {
    const h = this.#d.hierarchy;
    const tree = await h.tree();
    const oldParent = tree.get(node.parentId ?? '')!;
    const newAncestry = [...parent.ancestry, node.id];
    const subtree = await h.subtree(node.id);
    const devices = await this.#d.repo.devices.list({
      subtreeOf: node.id,
      subtreeIds: subtree.map((n) => n.id),
      activeOnly: true,
    });
    const admins = await this.#d.repo.admins.list();
    const sees = (a: AdminRecord, ancestry: readonly string[]) => ancestry.includes(a.nodeId);
    const below = admins.filter((a) => {
      const n = tree.get(a.nodeId);
      return n !== undefined && isWithin(n, node.id);
    });
    const pathOf = (ancestry: readonly string[]) => ancestry.map((id) => tree.get(id)?.name ?? id);
    return {
      dryRun: true,
      node: { ...(await h.view(node)), parentId: parent.id, path: pathOf(newAncestry) },
      from: { parentId: oldParent.id, path: pathOf(oldParent.ancestry) },
      to: { parentId: parent.id, path: pathOf(parent.ancestry) },
      nodes: subtree.length,
      devices: devices.map((d) => ({ id: d.id, name: d.name, role: d.role })),
      accounts: below.map(adminView),
      losesSight: admins
        .filter((a) => sees(a, oldParent.ancestry) && !sees(a, parent.ancestry))
        .map(adminView),
      gainsSight: admins
        .filter((a) => sees(a, parent.ancestry) && !sees(a, oldParent.ancestry))
        .map(adminView),
      settings: await this.#settingChanges(devices, node, newAncestry),
    };
  }

  /** Per device, each effective setting that differs between the old chain and the new one. */
  async #settingChanges(
    devices: readonly DeviceRecord[],
    node: NodeRecord,
    newAncestry: readonly string[],
  ): Promise<MovedSetting[]> {
    if (devices.length === 0) return [];
    const tree = await this.#d.hierarchy.tree();
    const snap = await this.#d.repo.config.nodeSnapshot();
    const values = new Map<string, Map<string, unknown>>();
    for (const s of snap.settings) {
      let m = values.get(s.scope.id);
      if (!m) {
        m = new Map();
        values.set(s.scope.id, m);
      }
      m.set(s.key, s.value);
    }
    const chainOf = (ids: readonly string[]) =>
      ids.map((id) => tree.get(id)).filter((n): n is NodeRecord => n !== undefined);
    const out: MovedSetting[] = [];
    for (const device of devices) {
      const at = tree.get(device.nodeId);
      if (!at) continue;
      const tail = at.ancestry.slice(at.ancestry.indexOf(node.id) + 1);
      const own: NodeValues = new Map(
        (await this.#d.repo.config.getScope({ kind: 'device', id: device.id })).settings.map((s) => [
          s.key,
          s.value,
        ]),
      );
      const before = resolveDevice(device, chainOf(at.ancestry), values, own);
      const after = resolveDevice(device, chainOf([...newAncestry, ...tail]), values, own);
      before.forEach((b, i) => {
        const a = after[i]!;
        if (JSON.stringify(a.effective.value) !== JSON.stringify(b.effective.value)) {
          out.push({ deviceId: device.id, key: b.key, from: b.effective, to: a.effective });
        }
      });
    }
    return out;
  }
}
