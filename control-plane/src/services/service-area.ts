import type { NodeRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';

/**
 * A community's place as the billers write it in a service address: the node names below the city
 * (district, street, community). Names are unique under one parent, so the path is unique.
 */
export async function serviceAreaOf(repo: Repository, node: NodeRecord): Promise<string[]> {
  const byId = new Map((await repo.nodes.getMany(node.ancestry)).map((n) => [n.id, n]));
  return node.ancestry
    .map((id) => byId.get(id))
    .filter((n): n is NodeRecord => n !== undefined && n.parentId !== null)
    .map((n) => n.name);
}

export function sameArea(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
