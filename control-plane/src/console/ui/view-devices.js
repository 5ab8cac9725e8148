// Devices: every device in the admin's scope, filtered by node, role, online/offline and a search by name
// or id; each row opens the device page (`#devices?id=dev_…`, device-page.js).
import { get } from './api.js';
import { renderDevicePage } from './device-page.js';
import { badge, bi, el, timeColumn } from './dom.js';
import { loadZones } from './zones.js';

export const ROLE = { kiosk: '自助终端 Kiosk', lobby: '大堂屏 Lobby', led: 'LED 屏 LED' };

/** The link to a device's page (the overview and this list use it). */
export const deviceHref = (id) => `#devices?id=${encodeURIComponent(id)}`;

export function deviceStatus(d) {
  if (d.status === 'revoked') return badge('bad', '已吊销 revoked');
  return d.online ? badge('ok', '在线 online') : badge('warn', '离线 offline');
}

function hashParams() {
  const q = location.hash.split('?')[1] ?? '';
  return new URLSearchParams(q);
}

export async function renderDevices(view, ctx) {
  const id = hashParams().get('id');
  if (id) return renderDevicePage(view, ctx, id);
  return renderList(view, ctx);
}

/** The node and every node below it, from the flat list the API gives (parentId links). */
function subtreeOf(nodes, rootId) {
  const out = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes)
      if (n.parentId && out.has(n.parentId) && !out.has(n.id)) {
        out.add(n.id);
        grew = true;
      }
  }
  return out;
}

async function renderList(view, ctx) {
  const [{ nodes }, { devices }] = await Promise.all([
    get('/api/v1/admin/nodes'),
    get('/api/v1/admin/devices'),
  ]);
  const zones = await loadZones(ctx.session, nodes);
  const where = new Map(nodes.map((n) => [n.id, n.path.join(' › ')]));
  const sorted = [...devices].sort((a, b) =>
    `${where.get(a.nodeId)}\u0000${a.name}`.localeCompare(`${where.get(b.nodeId)}\u0000${b.name}`, 'zh'),
  );

  const nodeSel = el(
    'select',
    { id: 'dev-node' },
    el('option', { value: '' }, '全部 All'),
    [...nodes]
      .sort((a, b) => a.path.join('/').localeCompare(b.path.join('/'), 'zh'))
      .map((n) => el('option', { value: n.id }, n.path.join(' › '))),
  );
  const roleSel = el(
    'select',
    { id: 'dev-role' },
    el('option', { value: '' }, '全部 All'),
    Object.entries(ROLE).map(([v, t]) => el('option', { value: v }, t)),
  );
  const onlineSel = el(
    'select',
    { id: 'dev-online' },
    el('option', { value: '' }, '全部 All'),
    el('option', { value: 'online' }, '在线 Online'),
    el('option', { value: 'offline' }, '离线 Offline'),
  );
  const search = el('input', {
    id: 'dev-search',
    type: 'search',
    autocomplete: 'off',
    placeholder: '名称或编号 name or id',
  });
  const count = el('p', { id: 'dev-count', class: 'muted', 'aria-live': 'polite' });
  const tableWrap = el('div', { id: 'dev-table' });

  const draw = () => {
    const inNode = nodeSel.value ? subtreeOf(nodes, nodeSel.value) : undefined;
    const text = search.value.trim().toLowerCase();
    const shown = sorted.filter(
      (d) =>
        (!inNode || inNode.has(d.nodeId)) &&
        (!roleSel.value || d.role === roleSel.value) &&
        (!onlineSel.value ||
          (onlineSel.value === 'online' ? d.online : !d.online && d.status === 'active')) &&
        (!text || d.name.toLowerCase().includes(text) || d.id.toLowerCase().includes(text)),
    );
    count.textContent = `显示 ${shown.length} / ${devices.length} 台设备 · showing ${shown.length} of ${devices.length} devices`;
    const lastSeen = timeColumn(
      '最后在线 Last seen',
      shown.map((d) => ({ iso: d.lastSeenAt, timeZone: zones.of(d.nodeId) })),
      zones.home,
    );
    const empty =
      shown.length === 0 ? [el('p', {}, ...bi('没有符合条件的设备。', 'No device matches.'))] : [];
    tableWrap.replaceChildren(
      el(
        'table',
        {},
        el('caption', {}, '设备列表 Devices'),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['名称 Name', '类型 Role', '位置 Where', '状态 Status', lastSeen.header, '编号 ID'].map((h) =>
              el('th', { scope: 'col' }, h),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          shown.map((d, i) =>
            el(
              'tr',
              {},
              el('td', {}, el('a', { href: deviceHref(d.id) }, d.name)),
              el('td', {}, ROLE[d.role] ?? d.role),
              el('td', {}, where.get(d.nodeId) ?? d.nodeId),
              el('td', {}, deviceStatus(d)),
              el('td', {}, lastSeen.cells[i]),
              el('td', {}, el('code', {}, d.id)),
            ),
          ),
        ),
      ),
      ...empty,
    );
  };
  for (const c of [nodeSel, roleSel, onlineSel]) c.addEventListener('change', draw);
  search.addEventListener('input', draw);

  const online = devices.filter((d) => d.online && d.status === 'active').length;
  view.replaceChildren(
    el('h1', {}, ...bi('设备', 'Devices')),
    el(
      'p',
      { class: 'stat' },
      el('strong', {}, String(online)),
      ` / ${devices.filter((d) => d.status === 'active').length} `,
      ...bi('台设备在线', 'devices online'),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, ...bi('筛选', 'Filter')),
      el(
        'form',
        { class: 'inline', id: 'dev-filter', role: 'search', onsubmit: (ev) => ev.preventDefault() },
        el('label', { for: 'dev-node' }, ...bi('辖区', 'Node')),
        nodeSel,
        el('label', { for: 'dev-role' }, ...bi('类型', 'Role')),
        roleSel,
        el('label', { for: 'dev-online' }, ...bi('在线', 'Online')),
        onlineSel,
        el('label', { for: 'dev-search' }, ...bi('搜索', 'Search')),
        search,
      ),
    ),
    el('section', { class: 'card' }, count, tableWrap),
  );
  draw();
}
