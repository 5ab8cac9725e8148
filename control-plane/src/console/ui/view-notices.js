// Notices: the list with moderation actions (submit, approve, reject, withdraw, put up / renew an emergency,
// proof of play), and the composer (notice-composer.js) with its previews.
import { get, post, query } from './api.js';
import { badge, bi, el, table, timeColumn, zoned } from './dom.js';
import { CATEGORY, composeForm, PRIORITY } from './notice-composer.js';
import { showPlays } from './notice-plays.js';
import { loadZones } from './zones.js';

const STATUS = {
  draft: ['info', '草稿 draft'],
  pending: ['warn', '待审核 pending'],
  published: ['ok', '已发布 published'],
  rejected: ['bad', '已驳回 rejected'],
  withdrawn: ['info', '已撤回 withdrawn'],
};

function actions(n, ctx, plays, edit) {
  const isAdmin = ctx.session.admin.role === 'admin';
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
  if (n.status !== 'withdrawn') out.push(b(['编辑', 'Edit'], () => edit(n)));
  // Staff draft and submit; approving, withdrawing and emergencies are the admins' (the API enforces it).
  if (n.status === 'draft' || n.status === 'rejected')
    out.push(b(['提交审核', 'Submit'], () => act('submit', {})));
  if (isAdmin && n.status === 'pending') {
    out.push(b(['批准发布', 'Approve'], () => act('approve', { revision: n.revision }), 'primary'));
    out.push(b(['驳回', 'Reject'], () => act('reject', { reason: '请修改后重新提交 please revise' })));
  }
  if (isAdmin && n.content.priority === 'emergency' && n.status !== 'withdrawn') {
    const ttlSec = n.content.emergencyTtlSec;
    if (n.emergency?.live) out.push(b(['续期紧急通知', 'Renew emergency'], () => act('renew', { ttlSec })));
    else out.push(b(['立即紧急播放', 'Put up now'], () => act('emergency', { ttlSec })));
  }
  if (isAdmin && n.status === 'published')
    out.push(b(['撤回', 'Withdraw'], () => act('withdraw', { reason: '管理员撤回 withdrawn by admin' })));
  if (isAdmin && n.published) out.push(b(['播放记录', 'Proof of play'], () => plays(n)));
  return el('div', { class: 'actions' }, out);
}

/** Where a notice goes and when, in a line: its targets, tags, roles, weekdays and daily windows. */
function reach(n, nodesById) {
  const t = n.content.targets;
  const names = t.nodeIds.map((id) => nodesById.get(id)?.name ?? id);
  const s = n.content.schedule;
  const bits = [
    names.length > 3 ? `${names.slice(0, 3).join('、')} +${names.length - 3}` : names.join('、'),
    t.tags ? `#${t.tags.join(' #')}` : '',
    t.roles ? t.roles.join('/') : '',
    s.weekdays ? `周${s.weekdays.map((d) => '一二三四五六日'[d - 1]).join('')}` : '',
    s.windows ? s.windows.map((w) => `${w.from}–${w.to}`).join(' ') : '',
  ];
  return bits.filter(Boolean).join(' · ');
}

export async function renderNotices(view, ctx) {
  const status = new URLSearchParams(location.hash.split('?')[1] ?? '').get('status') ?? undefined;
  const [{ notices }, { nodes }] = await Promise.all([
    get(`/api/v1/admin/notices${query({ status })}`),
    get('/api/v1/admin/nodes'),
  ]);
  const zones = await loadZones(ctx.session, nodes);
  const nodesById = new Map(nodes.map((n) => [n.id, n]));
  // A notice's times are read on the clock of the node it was written for (its first target).
  const zoneOf = (n) => zones.of(n.content.targets?.nodeIds?.[0]);
  const updated = timeColumn(
    '更新 Updated',
    notices.map((n) => ({ iso: n.updatedAt, timeZone: zoneOf(n) })),
    zones.home,
  );
  const expires = timeColumn(
    '过期 Expires',
    notices.map((n) => ({ iso: n.content.expiresAt, timeZone: zoneOf(n) })),
    zones.home,
  );
  const playsBox = el('section', { class: 'card', id: 'plays', hidden: true });
  const plays = (n) => showPlays(playsBox, n, zones.of, ctx).catch(ctx.flashError);
  const composer = composeForm(nodes, zones, ctx);
  view.replaceChildren(
    el('h1', {}, ...bi('通知', 'Notices')),
    el(
      'section',
      { class: 'card' },
      table(
        '通知列表（最新在前） Notices, newest first',
        [
          '标题与范围 Title and reach',
          '状态 Status',
          '优先级 Priority',
          updated.header,
          expires.header,
          '操作 Actions',
        ],
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
            el(
              'div',
              { class: 'notice-title' },
              el('div', {}, n.content.title.zh),
              n.content.title.en ? el('div', { lang: 'en', class: 'muted' }, n.content.title.en) : null,
              el('div', { class: 'reach' }, reach(n, nodesById)),
              live ? el('div', {}, live) : null,
            ),
            badge(k, t),
            `${PRIORITY[n.content.priority]} · ${CATEGORY[n.content.category]}`,
            updated.cells[i],
            expires.cells[i],
            actions(n, ctx, plays, (x) => composer.edit(x)),
          ];
        }),
      ),
    ),
    playsBox,
    el('section', { class: 'card' }, el('h2', {}, ...bi('写通知', 'Write a notice')), composer.element),
  );
}
