// The overview's enrollment card: create a token (role, community, tags; the token string is shown once) and,
// for admins, the tokens of their subtree with state, uses left, tags, who and when, and a revoke button.
import { call, get, post } from './api.js';
import { badge, bi, el, table, zoned } from './dom.js';

const ROLE = { kiosk: '自助终端 Kiosk', lobby: '大堂屏 Lobby', led: 'LED 屏 LED' };
const STATE = {
  active: ['ok', '可用 active'],
  used: ['info', '已用完 used'],
  expired: ['warn', '已过期 expired'],
  revoked: ['bad', '已吊销 revoked'],
};
// The server's rule (protocol TokenTag); checked here too so a typo is named before the round trip.
const TAG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function tokenCard(ctx, communities, zones, nodeName) {
  const out = el('div', { id: 'token-out', 'aria-live': 'polite' });
  const list = el('div', { id: 'token-list' });
  const form = el(
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
    el('label', { for: 'token-tags' }, ...bi('标签（逗号分隔）', 'Tags (comma separated)')),
    el('input', { id: 'token-tags', lang: 'en', placeholder: 'hall-east, floor-1' }),
    el('button', { type: 'submit' }, ...bi('生成注册令牌', 'Create enrollment token')),
  );
  const isAdmin = ctx.session.admin.role === 'admin';
  async function refresh() {
    if (!isAdmin) return;
    const { tokens } = await get('/api/v1/admin/enrollment-tokens?limit=50');
    list.replaceChildren(
      table(
        '注册令牌 Enrollment tokens',
        [
          '位置 Where',
          '类型 Role',
          '状态 State',
          '剩余次数 Uses left',
          '标签 Tags',
          '创建 Created',
          '到期 Expires',
          '',
        ],
        tokens.map((t) => [
          nodeName.get(t.nodeId) ?? t.nodeId,
          ROLE[t.role] ?? t.role,
          badge(...STATE[t.state]),
          `${t.usesLeft} / ${t.maxUses}`,
          t.tags.length ? t.tags.join(', ') : '—',
          `${t.createdBy.username ?? t.createdBy.id} · ${zoned(t.createdAt, zones.of(t.nodeId))}`,
          zoned(t.expiresAt, zones.of(t.nodeId)),
          t.state === 'active'
            ? el(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'aria-label': `吊销 Revoke ${t.id}`,
                  onclick: async () => {
                    try {
                      await post(`/api/v1/admin/enrollment-tokens/${encodeURIComponent(t.id)}/revoke`);
                      ctx.flash('已吊销令牌 Token revoked');
                      await refresh();
                    } catch (err) {
                      ctx.flashError(err);
                    }
                  },
                },
                ...bi('吊销', 'Revoke'),
              )
            : '',
        ]),
      ),
    );
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const nodeId = form.querySelector('#token-node').value;
      const tags = form
        .querySelector('#token-tags')
        .value.split(/[,，\s]+/)
        .filter(Boolean);
      const bad = tags.find((t) => !TAG.test(t) || t.length > 32);
      if (bad !== undefined) {
        ctx.flash(`标签“${bad}”须为小写字母、数字和连字符 Tag "${bad}" must be lower-case kebab-case (≤ 32)`);
        return;
      }
      const t = await call('POST', '/api/v1/admin/enrollment-tokens', {
        nodeId,
        role: form.querySelector('#token-role').value,
        ...(tags.length ? { tags } : {}),
      });
      out.replaceChildren(
        el('p', {}, ...bi('令牌只显示一次，请复制到设备上：', 'Shown once; copy it to the device:')),
        el(
          'pre',
          { class: 'token' },
          `linli enroll --server ${location.origin} --token ${t.token} --state /var/lib/linli`,
        ),
        el('p', { class: 'muted' }, `有效期至 expires ${zoned(t.expiresAt, zones.of(nodeId))}`),
      );
      ctx.flash('已生成注册令牌 Enrollment token created');
      await refresh();
    } catch (err) {
      ctx.flashError(err);
    }
  });
  const card = el(
    'section',
    { class: 'card' },
    el('h2', {}, ...bi('注册新设备', 'Enroll a device')),
    form,
    out,
    list,
  );
  return { card, refresh };
}
