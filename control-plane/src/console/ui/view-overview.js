// Overview: the hierarchy this admin may see, the devices under it with their health, and enrollment tokens.
import { call, get } from './api.js';
import { badge, bi, el, table, timeColumn, zoned } from './dom.js';
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

  const tokenOut = el('div', { id: 'token-out', 'aria-live': 'polite' });
  const communities = nodes.filter((n) => n.level === 'community');
  const tokenForm = el(
    'form',
    { class: 'inline', id: 'token-form' },
    el('label', { for: 'token-node' }, ...bi('社区', 'Community')),
    el(
      'select',
      { id: 'token-node', required: true },
      communities.map((n) => el('option', { value: n.id }, n.path.join(' › '))),
    ),
    el('label', { for: 'token-role' }, ...bi('设备类型', 'Role')),
    el(
      'select',
      { id: 'token-role' },
      Object.entries(ROLE).map(([v, t]) => el('option', { value: v }, t)),
    ),
    el('button', { type: 'submit' }, ...bi('生成注册令牌', 'Create enrollment token')),
  );
  tokenForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const nodeId = tokenForm.querySelector('#token-node').value;
      const t = await call('POST', '/api/v1/admin/enrollment-tokens', {
        nodeId,
        role: tokenForm.querySelector('#token-role').value,
      });
      tokenOut.replaceChildren(
        el('p', {}, ...bi('令牌只显示一次，请复制到设备上：', 'Shown once; copy it to the device:')),
        el(
          'pre',
          { class: 'token' },
          `linli enroll --server ${location.origin} --token ${t.token} --state /var/lib/linli`,
        ),
        el('p', { class: 'muted' }, `有效期至 expires ${zoned(t.expiresAt, zones.of(nodeId))}`),
      );
      ctx.flash('已生成注册令牌 Enrollment token created');
    } catch (err) {
      ctx.flashError(err);
    }
  });

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
    communities.length
      ? el(
          'section',
          { class: 'card' },
          el('h2', {}, ...bi('注册新设备', 'Enroll a device')),
          tokenForm,
          tokenOut,
        )
      : null,
  );
}
