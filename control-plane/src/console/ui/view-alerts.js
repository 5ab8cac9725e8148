// Alerts, per node: those owned by the chosen node and the nodes below it, unresolved first with an
// acknowledge button (admins), then the resolved history. Times on each owning node's clock.

import { ruleText, severityBadge, stateBadge } from './alert-words.js';
import { get, post, query } from './api.js';
import { bi, el, table, timeColumn } from './dom.js';
import { loadZones } from './zones.js';

const detailText = (a) => {
  const d = a.detail ?? {};
  if (a.rule === 'device-offline' && d.lastSeenAt)
    return `最后在线 last seen ${d.lastSeenAt.slice(0, 16).replace('T', ' ')} UTC`;
  if (a.rule === 'payment-unknown-repeated') return `${d.count} 笔 / ${d.windowMinutes} 分钟 payments / min`;
  if (a.rule === 'emergency-unacknowledged' && Array.isArray(d.emergencies))
    return d.emergencies.map((e) => `#${e.seq} ${e.title ?? ''}`).join('；');
  return '';
};

export async function renderAlerts(view, ctx) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const { nodes } = await get('/api/v1/admin/nodes');
  const zones = await loadZones(ctx.session, nodes);
  const nodeId = params.get('nodeId') ?? ctx.session.admin.nodeId;
  const names = new Map(nodes.map((n) => [n.id, n.path?.join(' › ') || n.name]));
  const [current, resolved] = await Promise.all([
    get(`/api/v1/admin/alerts${query({ nodeId })}`),
    get(`/api/v1/admin/alerts${query({ nodeId, state: 'resolved', limit: 50 })}`),
  ]);
  const unresolved = current.alerts.filter((a) => a.state !== 'resolved');
  const canAck = ctx.session.admin.role === 'admin';

  const picker = el(
    'form',
    { class: 'inline', id: 'alerts-node-form' },
    el('label', { for: 'alerts-node' }, ...bi('节点', 'Node')),
    el(
      'select',
      { id: 'alerts-node' },
      nodes.map((n) => el('option', { value: n.id, selected: n.id === nodeId }, names.get(n.id))),
    ),
    el('button', { type: 'submit', class: 'secondary' }, ...bi('查看', 'Show')),
  );
  picker.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `alerts?nodeId=${picker.querySelector('#alerts-node').value}`;
  });

  const ackButton = (a) => {
    if (!canAck || a.state !== 'open') return a.acknowledgedBy ? `${a.acknowledgedBy}` : '—';
    const b = el(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': `确认 Acknowledge ${ruleText(a.rule)} ${a.deviceName ?? ''}`.trim(),
      },
      ...bi('确认', 'Acknowledge'),
    );
    b.addEventListener('click', async () => {
      try {
        await post(`/api/v1/admin/alerts/${encodeURIComponent(a.id)}/acknowledge`, {});
        ctx.flash(`已确认 Acknowledged: ${ruleText(a.rule)}`);
        await ctx.refresh();
      } catch (err) {
        ctx.flashError(err);
      }
    });
    return b;
  };

  const openedCol = (list) =>
    timeColumn(
      '发生时间 Opened',
      list.map((a) => ({ iso: a.openedAt, timeZone: zones.of(a.nodeId) })),
      zones.of(nodeId),
    );
  const openCol = openedCol(unresolved);
  const rows = unresolved.map((a, i) => [
    severityBadge(a.severity),
    ruleText(a.rule),
    a.deviceName ?? '—',
    names.get(a.nodeId) ?? a.nodeId,
    openCol.cells[i],
    stateBadge(a.state),
    detailText(a),
    ackButton(a),
  ]);
  const doneOpened = openedCol(resolved.alerts);
  const doneCol = timeColumn(
    '解决时间 Resolved',
    resolved.alerts.map((a) => ({ iso: a.resolvedAt, timeZone: zones.of(a.nodeId) })),
    zones.of(nodeId),
  );
  const history = resolved.alerts.map((a, i) => [
    severityBadge(a.severity),
    ruleText(a.rule),
    a.deviceName ?? '—',
    names.get(a.nodeId) ?? a.nodeId,
    doneOpened.cells[i],
    doneCol.cells[i],
    a.resolvedBy === 'auto' ? '自动 automatic' : (a.resolvedBy ?? '—'),
    a.acknowledgedBy ?? '—',
  ]);

  view.replaceChildren(
    el('h1', {}, ...bi('告警', 'Alerts')),
    picker,
    el(
      'section',
      { class: 'card', 'aria-labelledby': 'alerts-open-title' },
      el('h2', { id: 'alerts-open-title' }, ...bi(`未解决（${unresolved.length}）`, 'Unresolved')),
      unresolved.length
        ? table(
            '未解决的告警，未处理的在前 Unresolved alerts, open first',
            [
              '级别 Severity',
              '告警 Alert',
              '设备 Device',
              '节点 Node',
              openCol.header,
              '状态 State',
              '详情 Detail',
              canAck ? '操作 Action' : '确认人 By',
            ],
            rows,
          )
        : el('p', { class: 'muted' }, ...bi('没有未解决的告警。', 'No unresolved alerts.')),
    ),
    el(
      'section',
      { class: 'card', 'aria-labelledby': 'alerts-history-title' },
      el('h2', { id: 'alerts-history-title' }, ...bi('已解决（最近 50 条）', 'Resolved (last 50)')),
      history.length
        ? table(
            '已解决的告警 Resolved alerts',
            [
              '级别 Severity',
              '告警 Alert',
              '设备 Device',
              '节点 Node',
              doneOpened.header,
              doneCol.header,
              '解决 By',
              '确认人 Acknowledged by',
            ],
            history,
          )
        : el('p', { class: 'muted' }, ...bi('暂无记录。', 'Nothing yet.')),
    ),
  );
}
