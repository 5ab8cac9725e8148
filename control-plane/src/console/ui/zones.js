// Whose clock a time is read on: the node's (its community's zone, e.g. Asia/Shanghai), never the browser's.
import { get } from './api.js';

/** The fallback when a node is not in the list the API gave (the API's own default for new nodes). */
const DEFAULT_ZONE = 'Asia/Shanghai';

/**
 * The zones of the nodes this admin may see. `home` is the zone of the admin's own node: the API reads a
 * `date=` of the payments, reconciliation and appointment lists on that node's clock.
 */
export async function loadZones(session, nodes) {
  const list = nodes ?? (await get('/api/v1/admin/nodes')).nodes;
  const byId = new Map(list.map((n) => [n.id, n.timezone]));
  const home = byId.get(session.admin.nodeId) ?? list[0]?.timezone ?? DEFAULT_ZONE;
  return { home, of: (nodeId) => byId.get(nodeId) ?? home };
}
