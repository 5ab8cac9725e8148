import type { NodeRecord } from '../storage/records.js';
import type { NodeRepository } from '../storage/repository.js';

/** SQLite's BINARY collation (UTF-8 bytes), so the tree orders names exactly as the store's ORDER BY did. */
function byName(a: NodeRecord, b: NodeRecord): number {
  return Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
}

/**
 * One snapshot of the whole hierarchy, read from the store in one pass. The tree is small (a city is hundreds
 * of nodes) and changes rarely, while every admin request walks it (scope checks, subtree lists, paths).
 */
export class NodeTree {
  readonly #byId = new Map<string, NodeRecord>();
  readonly #children = new Map<string, NodeRecord[]>();
  /** Every node's subtree in store order (depth, then name), built on first ask. */
  readonly #subtrees = new Map<string, readonly NodeRecord[]>();
  readonly roots: readonly NodeRecord[];

  private constructor(nodes: readonly NodeRecord[], roots: readonly NodeRecord[]) {
    this.roots = roots;
    for (const n of nodes) this.#byId.set(n.id, n);
    for (const n of nodes) {
      if (n.parentId === null) continue;
      const list = this.#children.get(n.parentId);
      if (list) list.push(n);
      else this.#children.set(n.parentId, [n]);
    }
    for (const list of this.#children.values()) list.sort(byName);
  }

  static async load(repo: NodeRepository): Promise<NodeTree> {
    const roots = await repo.listRoots();
    const nodes = (await Promise.all(roots.map((r) => repo.listSubtree(r.id)))).flat();
    return new NodeTree(nodes, roots);
  }

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): NodeRecord | undefined {
    return this.#byId.get(id);
  }

  children(id: string): readonly NodeRecord[] {
    return this.#children.get(id) ?? [];
  }

  /** The node and everything below it, ordered by depth then name (as NodeRepository.listSubtree). */
  subtree(id: string): readonly NodeRecord[] {
    const cached = this.#subtrees.get(id);
    if (cached) return cached;
    const root = this.#byId.get(id);
    if (!root) return [];
    // Breadth-first over name-sorted children, then a stable sort by depth: depth first, then name.
    const out: NodeRecord[] = [root];
    for (let i = 0; i < out.length; i++) out.push(...this.children(out[i]!.id));
    const ordered = out.sort((a, b) => a.ancestry.length - b.ancestry.length || byName(a, b));
    this.#subtrees.set(id, ordered);
    return ordered;
  }
}
