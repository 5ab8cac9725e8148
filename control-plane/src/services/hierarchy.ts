import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { CreateNodeRequest, NodeView } from '../../../protocol/schemas/admin.js';
import { NODE_LEVELS, type NodeLevel } from '../../../protocol/schemas/common.js';
import type { NodeRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type AdminPrincipal, iso } from './context.js';

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

/** The hierarchy and the scope rule: an admin acts only on its own node's subtree. */
export class HierarchyService {
  readonly #repo: Repository;
  readonly #now: () => number;

  constructor(repo: Repository, now: () => number) {
    this.#repo = repo;
    this.#now = now;
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
    const node = await this.#repo.nodes.get(nodeId);
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
    await this.#repo.nodes.create(node);
    return this.view(node);
  }

  async list(principal: AdminPrincipal, parentId?: string): Promise<NodeView[]> {
    const nodes = parentId
      ? await this.#repo.nodes.listChildren((await this.nodeInScope(principal, parentId, 'parentId')).id)
      : await this.#repo.nodes.listSubtree(principal.node.id);
    return this.views(nodes);
  }

  /** Names from the city down to the node. */
  async pathOf(node: NodeRecord): Promise<string[]> {
    const byId = new Map((await this.#repo.nodes.getMany(node.ancestry)).map((n) => [n.id, n.name]));
    return node.ancestry.map((id) => byId.get(id) ?? id);
  }

  async view(node: NodeRecord): Promise<NodeView> {
    return (await this.views([node]))[0]!;
  }

  async views(nodes: readonly NodeRecord[]): Promise<NodeView[]> {
    const ids = new Set(nodes.flatMap((n) => n.ancestry));
    const names = new Map((await this.#repo.nodes.getMany([...ids])).map((n) => [n.id, n.name]));
    return nodes.map((n) => ({
      id: n.id,
      parentId: n.parentId,
      level: n.level,
      name: n.name,
      timezone: n.timezone,
      path: n.ancestry.map((id) => names.get(id) ?? id),
      createdAt: iso(n.createdAt),
    }));
  }
}
