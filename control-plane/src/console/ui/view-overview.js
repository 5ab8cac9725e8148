// Overview: the hierarchy this admin may see, the devices under it with their health, and enrollment tokens
// (overview-tokens.js).
import { get } from './api.js';
import { badge, bi, el, table, timeColumn } from './dom.js';
import { tokenCard } from './overview-tokens.js';
import { deviceHref } from './view-devices.js';
import { loadZones } from './zones.js';

const LEVEL = {
  city: '市 City',
  district: '区 District',
  street: '街道 Street',
  community: '社区 Community',
};
const ROLE = { kiosk: '自助终端 Kiosk', lobby: '大堂屏 Lobby', led: 'LED 屏 LED' };

export async function renderOverview(view, ctx) {
  const [{ nodes }, { devices }] = await Promise.all([
    get('/api/v1/admin/nodes'),
    get('/api/v1/admin/devices'),
  ]);
  const zones = await loadZones(ctx.session, nodes);
  const byParent = new Map();
  for (const n of nodes) {
    const k = n.parentId ?? 'root';
    byParent.set(k, [...(byParent.get(k) ?? []), n]);
  }
  const ids = new Set(nodes.map((n) => n.id));
  const roots = nodes.filter((n) => !n.parentId || !ids.has(n.parentId));
  const countDevices = (id) => devices.filter((d) => d.nodeId === id && d.status === 'active').length;
  const tree = (n) =>
    el(
      'li',
      {},
      el('span', { class: 'node' }, n.name),
      ' ',
      el('span', { class: 'muted' }, `${LEVEL[n.level] ?? n.level} · ${countDevices(n.id)} 台设备 devices`),
      (byParent.get(n.id) ?? []).length ? el('ul', {}, (byParent.get(n.id) ?? []).map(tree)) : null,
    );
  const online = devices.filter((d) => d.online && d.status === 'active').length;
  const active = devices.filter((d) => d.status === 'active').length;
  const nodeName = new Map(nodes.map((n) => [n.id, n.path.join(' › ')]));

  const communities = nodes.filter((n) => n.level === 'community');
  const tokens = communities.length ? tokenCard(ctx, communities, zones, nodeName) : null;

  const lastSeen = timeColumn(
    '最后在线 Last seen',
    devices.map((d) => ({ iso: d.lastSeenAt, timeZone: zones.of(d.nodeId) })),
    zones.home,
  );
  view.replaceChildren(
    el('h1', {}, ...bi('概览', 'Overview')),
    el(
      'div',
      { class: 'stats' },
      el(
        'p',
        { class: 'stat' },
        el('strong', {}, String(online)),
        ` / ${active} `,
        ...bi('台设备在线', 'devices online'),
      ),
      el(
        'p',
        { class: 'stat' },
        el('strong', {}, String(nodes.length)),
        ' ',
        ...bi('个辖区节点', 'nodes in your scope'),
      ),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, ...bi('辖区', 'Hierarchy')),
      el('ul', { class: 'tree' }, roots.map(tree)),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, ...bi('设备', 'Devices')),
      table(
        '设备状态 Device health',
        ['名称 Name', '类型 Role', '位置 Where', '状态 Status', lastSeen.header],
        devices.map((d, i) => [
          el('a', { href: deviceHref(d.id) }, d.name),
          ROLE[d.role] ?? d.role,
          nodeName.get(d.nodeId) ?? d.nodeId,
          d.status === 'revoked'
            ? badge('bad', '已吊销 revoked')
            : d.online
              ? badge('ok', '在线 online')
              : badge('warn', '离线 offline'),
          lastSeen.cells[i],
        ]),
      ),
    ),
    tokens?.card ?? null,
  );
  await tokens?.refresh();
}
