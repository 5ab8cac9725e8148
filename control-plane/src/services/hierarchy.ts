import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { CreateNodeRequest, NodeView } from '../../../protocol/schemas/admin.js';
import { NODE_LEVELS, type NodeLevel } from '../../../protocol/schemas/common.js';
import type { NodeRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type AdminPrincipal, iso } from './context.js';
import { NodeTree } from './node-tree.js';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** city → district → street → community: a node's level is always one below its parent's. */
export function childLevel(parent: NodeLevel): NodeLevel | undefined {
  return NODE_LEVELS[NODE_LEVELS.indexOf(parent) + 1];
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** True when `node` is `ancestorId` or lies below it. */
export function isWithin(node: NodeRecord, ancestorId: string): boolean {
  return node.ancestry.includes(ancestorId);
}

/**
 * The hierarchy and the scope rule: an admin acts only on its own node's subtree. The tree is kept in memory
 * (every admin request walks it; it changes rarely) and read again after invalidate(): this service calls it
 * after each of its own writes, and whatever else writes nodes (another instance, a seed) must call it too.
 */
export class HierarchyService {
  readonly #repo: Repository;
  readonly #now: () => number;
  readonly #onChanged: ((nodeId: string) => void) | undefined;
  #tree: Promise<NodeTree> | undefined;

  /** `onChanged` hears every node this service wrote (the cluster tells the other instances to invalidate). */
  constructor(repo: Repository, now: () => number, onChanged?: (nodeId: string) => void) {
    this.#repo = repo;
    this.#now = now;
    this.#onChanged = onChanged;
  }

  /** Drops the in-memory tree; the next read loads it again from the store. */
  invalidate(): void {
    this.#tree = undefined;
  }

  /** The current tree: the cached one, or one load shared by every caller until it lands. */
  tree(): Promise<NodeTree> {
    if (!this.#tree) {
      const loading = NodeTree.load(this.#repo.nodes);
      this.#tree = loading;
      // A failed load is not kept: the next caller tries again.
      loading.catch(() => {
        if (this.#tree === loading) this.#tree = undefined;
      });
    }
    return this.#tree;
  }

  /**
   * A node by id. A miss asks the store once: a node another instance created before its signal arrived is
   * found there, and its arrival makes the tree stale, so the tree is reloaded on the next read.
   */
  async node(id: string): Promise<NodeRecord | undefined> {
    const hit = (await this.tree()).get(id);
    if (hit) return hit;
    const stored = await this.#repo.nodes.get(id);
    if (stored) this.invalidate();
    return stored;
  }

  /** The node and everything below it, ordered by depth then name; empty for an unknown id. */
  async subtree(rootId: string): Promise<readonly NodeRecord[]> {
    return (await this.tree()).subtree(rootId);
  }

  /**
   * The node, if it exists and lies in the admin's subtree. A node outside it answers exactly like one that
   * does not exist (NODE_NOT_FOUND, same message), so no one learns what lies beyond their scope.
   */
  async nodeInScope(principal: AdminPrincipal, nodeId: string, field = 'nodeId'): Promise<NodeRecord> {
    const node = await this.inScope(principal, nodeId);
    if (!node) {
      throw new LinliError(
        ErrorCode.NODE_NOT_FOUND,
        `no node ${nodeId}; list nodes with GET /api/v1/admin/nodes`,
        { field },
      );
    }
    return node;
  }

  /** The node if it lies in the admin's subtree; undefined when it is outside or does not exist. */
  async inScope(principal: AdminPrincipal, nodeId: string): Promise<NodeRecord | undefined> {
    const node = await this.node(nodeId);
    return node && isWithin(node, principal.node.id) ? node : undefined;
  }

  async create(principal: AdminPrincipal, req: CreateNodeRequest): Promise<NodeView> {
    const parent = await this.nodeInScope(principal, req.parentId, 'parentId');
    const level = childLevel(parent.level);
    if (!level) {
      throw new LinliError(
        ErrorCode.NODE_LEVEL,
        `${parent.name} is a community, the lowest level; create the node under a street instead`,
        { field: 'parentId', parentLevel: parent.level },
      );
    }
    if (req.level !== undefined && req.level !== level) {
      throw new LinliError(
        ErrorCode.NODE_LEVEL,
        `a node under the ${parent.level} "${parent.name}" is a ${level}, not a ${req.level}; omit level or send ${level}`,
        { field: 'level', expected: level },
      );
    }
    const timezone = req.timezone ?? parent.timezone;
    if (!isValidTimezone(timezone)) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `timezone "${timezone}" is not an IANA zone such as Asia/Shanghai`,
        {
          field: 'timezone',
        },
      );
    }
    const id = newId('node', this.#now());
    const node: NodeRecord = {
      id,
      parentId: parent.id,
      level,
      name: req.name.trim(),
      timezone,
      ancestry: [...parent.ancestry, id],
      createdAt: this.#now(),
    };
    try {
      await this.#repo.nodes.create(node);
    } finally {
      // Even a failed insert may race a concurrent writer's; a reload is cheap and rare.
      this.invalidate();
    }
    this.#onChanged?.(id);
    return this.view(node);
  }

  async list(principal: AdminPrincipal, parentId?: string): Promise<NodeView[]> {
    const tree = await this.tree();
    const nodes = parentId
      ? tree.children((await this.nodeInScope(principal, parentId, 'parentId')).id)
      : tree.subtree(principal.node.id);
    return this.views(nodes);
  }

  /** Names from the city down to the node. */
  async pathOf(node: NodeRecord): Promise<string[]> {
    const tree = await this.tree();
    return node.ancestry.map((id) => tree.get(id)?.name ?? id);
  }

  async view(node: NodeRecord): Promise<NodeView> {
    return (await this.views([node]))[0]!;
  }

  async views(nodes: readonly NodeRecord[]): Promise<NodeView[]> {
    const tree = await this.tree();
    return nodes.map((n) => ({
      id: n.id,
      parentId: n.parentId,
      level: n.level,
      name: n.name,
      timezone: n.timezone,
      path: n.ancestry.map((id) => tree.get(id)?.name ?? id),
      createdAt: iso(n.createdAt),
    }));
  }
}
