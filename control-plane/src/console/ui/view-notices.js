// Notices: the list with moderation actions (approve, reject, withdraw) and a form to write one.
import { get, post, query } from './api.js';
import { badge, bi, el, table, timeColumn, zoned } from './dom.js';
import { loadZones } from './zones.js';

const STATUS = {
  draft: ['info', '草稿 draft'],
  pending: ['warn', '待审核 pending'],
  published: ['ok', '已发布 published'],
  rejected: ['bad', '已驳回 rejected'],
  withdrawn: ['info', '已撤回 withdrawn'],
};
const PRIORITY = { normal: '普通 normal', important: '重要 important', emergency: '紧急 emergency' };
const CATEGORY = {
  general: '综合 general',
  utility: '水电气 utility',
  safety: '安全 safety',
  event: '活动 event',
  civic: '文明 civic',
  election: '选举 election',
};

function actions(n, ctx) {
  const act = async (action, body) => {
    try {
      const r = await post(`/api/v1/admin/notices/${n.id}/${action}`, body);
      ctx.flash(`${n.content.title.zh}：${r.notice.status}（${r.targetedDevices} 台设备 devices）`);
      await ctx.refresh();
    } catch (err) {
      ctx.flashError(err);
    }
  };
  const b = (label, fn, cls = 'secondary') =>
    el(
      'button',
      { type: 'button', class: cls, onclick: fn, 'aria-label': `${label[0]} ${n.content.title.zh}` },
      ...bi(...label),
    );
  const out = [];
  if (n.status === 'draft' || n.status === 'rejected')
    out.push(b(['提交审核', 'Submit'], () => act('submit', {})));
  if (n.status === 'pending') {
    out.push(b(['批准发布', 'Approve'], () => act('approve', { revision: n.revision }), 'primary'));
    out.push(b(['驳回', 'Reject'], () => act('reject', { reason: '请修改后重新提交 please revise' })));
  }
  if (n.status === 'published')
    out.push(b(['撤回', 'Withdraw'], () => act('withdraw', { reason: '管理员撤回 withdrawn by admin' })));
  return el('div', { class: 'actions' }, out);
}

function composeForm(nodes, ctx) {
  const f = el(
    'form',
    { id: 'notice-form', class: 'stack' },
    el('label', { for: 'n-title' }, ...bi('标题', 'Title')),
    el('input', { id: 'n-title', required: true, maxlength: 120 }),
    el('label', { for: 'n-body' }, ...bi('正文', 'Body')),
    el('textarea', { id: 'n-body', required: true, maxlength: 4000, rows: 4 }),
    el('label', { for: 'n-node' }, ...bi('发布范围', 'Publish to')),
    el(
      'select',
      { id: 'n-node' },
      nodes.map((n) => el('option', { value: n.id }, n.path.join(' › '))),
    ),
    el('label', { for: 'n-category' }, ...bi('类别', 'Category')),
    el(
      'select',
      { id: 'n-category' },
      Object.entries(CATEGORY).map(([v, t]) => el('option', { value: v }, t)),
    ),
    el('label', { for: 'n-priority' }, ...bi('优先级', 'Priority')),
    el(
      'select',
      { id: 'n-priority' },
      Object.entries(PRIORITY).map(([v, t]) => el('option', { value: v }, t)),
    ),
    el(
      'p',
      { class: 'muted' },
      ...bi(
        '紧急通知立即覆盖目标屏幕，120 秒内未续期自动撤下。',
        'An emergency takes over the screens at once and lapses after 120 s unless renewed.',
      ),
    ),
    el(
      'label',
      { class: 'check' },
      el('input', { type: 'checkbox', id: 'n-publish', checked: true }),
      ' ',
      ...bi('直接发布（管理员）', 'Publish now (admins)'),
    ),
    el('button', { type: 'submit', class: 'primary' }, ...bi('保存', 'Save')),
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (id) => f.querySelector(`#${id}`).value;
    const priority = v('n-priority');
    try {
      const r = await post('/api/v1/admin/notices', {
        title: { zh: v('n-title').trim() },
        body: { zh: v('n-body').trim() },
        category: v('n-category'),
        priority,
        targets: { nodeIds: [v('n-node')] },
        ...(priority === 'emergency' ? { emergencyTtlSec: 120 } : {}),
        publish: f.querySelector('#n-publish').checked,
      });
      ctx.flash(
        `已保存 Saved: ${r.notice.status}，${r.notifiedDevices}/${r.targetedDevices} 台设备已通知 devices told`,
      );
      await ctx.refresh();
    } catch (err) {
      ctx.flashError(err);
    }
  });
  return f;
}

export async function renderNotices(view, ctx) {
  const status = new URLSearchParams(location.hash.split('?')[1] ?? '').get('status') ?? undefined;
  const [{ notices }, { nodes }] = await Promise.all([
    get(`/api/v1/admin/notices${query({ status })}`),
    get('/api/v1/admin/nodes'),
  ]);
  const zones = await loadZones(ctx.session, nodes);
  // A notice's times are read on the clock of the node it was written for (its first target).
  const zoneOf = (n) => zones.of(n.content.targets?.nodeIds?.[0]);
  const updated = timeColumn(
    '更新 Updated',
    notices.map((n) => ({ iso: n.updatedAt, timeZone: zoneOf(n) })),
    zones.home,
  );
  view.replaceChildren(
    el('h1', {}, ...bi('通知', 'Notices')),
    el(
      'section',
      { class: 'card' },
      table(
        '通知列表（最新在前） Notices, newest first',
        ['标题 Title', '状态 Status', '优先级 Priority', updated.header, '操作 Actions'],
        notices.map((n, i) => {
          const [k, t] = STATUS[n.status] ?? ['info', n.status];
          // A live emergency is a warning to act on, not an error: the alert badge, never the ✖ of "bad".
          const live = n.emergency?.live
            ? badge(
                'alert',
                `紧急播放中 live emergency · 至 until ${zoned(n.emergency.liveUntil, zoneOf(n))}`,
              )
            : null;
          return [
            el('span', {}, n.content.title.zh, live ? [' ', live] : null),
            badge(k, t),
            PRIORITY[n.content.priority],
            updated.cells[i],
            actions(n, ctx),
          ];
        }),
      ),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, ...bi('写通知', 'Write a notice')),
      composeForm(nodes, ctx),
    ),
  );
}
