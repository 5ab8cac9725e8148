// Webhooks out (issue 12), admins only (permission webhooks.manage): a node's endpoints, registering one,
// switching off/on, deleting, rotating the signing secret, a test event, and one endpoint's deliveries.
// The signing secret is in the API's answer once: it is kept in this module only until the next render shows
// it, then dropped, so going back or reloading never shows it again.
import { ApiError, call, get, post, query } from './api.js';
import { badge, bi, el, table, timeColumn } from './dom.js';
import { loadZones } from './zones.js';

const EVENTS = [
  ['alert.opened', '告警发生', 'alert opened'],
  ['alert.acknowledged', '告警已确认', 'alert acknowledged'],
  ['alert.resolved', '告警已解决', 'alert resolved'],
];
const DELIVERY_STATE = {
  pending: ['info', '待发送 pending'],
  delivered: ['ok', '已送达 delivered'],
  failed: ['bad', '失败 failed'],
};

/** A secret from the last create or rotate, shown by the next render only. */
let fresh;

const hashParams = () => new URLSearchParams(location.hash.split('?')[1] ?? '');
const hashOf = (nodeId, hookId) => `#webhooks${query({ node: nodeId, hook: hookId })}`;
/** Navigates (a hashchange renders the view again). */
const go = (nodeId, hookId) => {
  location.hash = hashOf(nodeId, hookId);
};
/** Changes the address without a hashchange, for an action that renders itself and keeps its flash. */
const stay = (nodeId, hookId) => history.replaceState(null, '', hashOf(nodeId, hookId));

function secretBox(s) {
  const input = el('input', {
    id: 'webhook-secret',
    readonly: true,
    value: s.secret,
    'aria-describedby': 'webhook-secret-hint',
    spellcheck: 'false',
    onfocus: (ev) => ev.target.select(),
  });
  const copy = el('button', { type: 'button', class: 'secondary' }, ...bi('复制', 'Copy'));
  copy.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(s.secret);
      copy.replaceChildren(...bi('已复制', 'Copied'));
    } catch {
      copy.replaceChildren(...bi('已选中，请按 Ctrl+C', 'Selected: press Ctrl+C'));
    }
  });
  return el(
    'section',
    { class: 'card secret-box', 'aria-labelledby': 'webhook-secret-title', role: 'alert' },
    el(
      'h2',
      { id: 'webhook-secret-title' },
      '⚠\uFE0E ',
      ...bi('签名密钥——只显示这一次', 'Signing secret — shown once'),
    ),
    el('p', {}, ...bi('接收地址', 'Endpoint'), ': ', el('code', {}, s.url)),
    el('label', { for: 'webhook-secret' }, ...bi('密钥', 'Secret')),
    el('div', { class: 'inline' }, input, copy),
    el(
      'p',
      { id: 'webhook-secret-hint', class: 'hint' },
      ...bi(
        '现在就复制并保存到接收方的配置中。离开此页后无法再次查看；若遗失，请“轮换密钥”。',
        'Copy it now into the receiver’s configuration. It cannot be shown again once you leave this page; if it is lost, rotate the secret.',
      ),
    ),
    el('h3', {}, ...bi('接收方如何验证', 'How the receiver verifies a delivery')),
    el(
      'ul',
      {},
      el(
        'li',
        {},
        ...bi('请求头', 'Headers'),
        ': ',
        el('code', {}, 'Linli-Webhook-Id'),
        ' (',
        ...bi('每次重试相同，用于去重', 'the same on every retry: deduplicate on it'),
        '), ',
        el('code', {}, 'Linli-Webhook-Timestamp'),
        ', ',
        el('code', {}, 'Linli-Signature: t=<unix>,v1=<hex>'),
      ),
      el(
        'li',
        {},
        el('code', {}, 'v1 = hex(HMAC-SHA256(secret, "<t>.<body>"))'),
        ' — ',
        ...bi(
          '对收到的原始请求体字节计算，用常数时间比较',
          'over the raw request body bytes, compared in constant time',
        ),
      ),
      el(
        'li',
        {},
        ...bi('拒绝与本机时钟相差超过 5 分钟的 t', 'refuse a t more than 5 minutes from your clock'),
      ),
      el(
        'li',
        {},
        ...bi('详见', 'See'),
        ' ',
        el('code', {}, 'docs/running-a-city.md'),
        ' “Webhooks: alerts to the city’s pager”',
      ),
    ),
  );
}

function createForm(node, ctx) {
  const boxes = EVENTS.map(([type, zh, en]) =>
    el(
      'label',
      { class: 'check', for: `webhook-event-${type}` },
      el('input', {
        type: 'checkbox',
        id: `webhook-event-${type}`,
        name: 'events',
        value: type,
        checked: true,
      }),
      ...bi(zh, en),
      ' ',
      el('code', {}, type),
    ),
  );
  // novalidate: the API's own check answers with its code (an http:// URL, a user:password@, …).
  const form = el(
    'form',
    { id: 'webhook-create', novalidate: true },
    el('label', { for: 'webhook-url' }, ...bi('接收地址（https://）', 'Receiver URL (https://)')),
    el('input', {
      id: 'webhook-url',
      type: 'url',
      required: true,
      maxlength: 2048,
      placeholder: 'https://pager.example.org/linli',
      autocomplete: 'off',
    }),
    el(
      'fieldset',
      { class: 'choices' },
      el('legend', {}, ...bi('发送哪些事件', 'Events to send')),
      el('div', { class: 'inline' }, boxes),
    ),
    el('label', { for: 'webhook-description' }, ...bi('说明（谁接收）', 'Description (who answers)')),
    el('input', { id: 'webhook-description', maxlength: 200, placeholder: '区值班室 District duty desk' }),
    el('div', { class: 'stack' }, el('button', { type: 'submit' }, ...bi('添加接收地址', 'Add endpoint'))),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const description = form.querySelector('#webhook-description').value.trim();
    const body = {
      url: form.querySelector('#webhook-url').value.trim(),
      events: [...form.querySelectorAll('input[name=events]:checked')].map((b) => b.value),
      ...(description ? { description } : {}),
    };
    try {
      const created = await post(`/api/v1/admin/nodes/${encodeURIComponent(node.id)}/webhooks`, body);
      fresh = created;
      ctx.flash(`已添加 Added: ${created.url}`);
      await ctx.refresh();
    } catch (err) {
      ctx.flashError(err);
    }
  });
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'webhook-create-title' },
    el('h2', { id: 'webhook-create-title' }, ...bi('添加接收地址', 'Add an endpoint')),
    el(
      'p',
      { class: 'muted' },
      ...bi(
        '它会收到本节点及其下所有节点的事件。',
        'It hears the events of this node and every node below it.',
      ),
    ),
    form,
  );
}

const action = (label, aria, fn, cls = 'secondary') => {
  const b = el('button', { type: 'button', class: cls, 'aria-label': aria }, ...label);
  b.addEventListener('click', fn);
  return b;
};

function actions(hook, node, ctx) {
  const path = `/api/v1/admin/webhooks/${encodeURIComponent(hook.id)}`;
  const run = async (fn, done) => {
    try {
      await fn();
      ctx.flash(done);
      await ctx.refresh();
    } catch (err) {
      ctx.flashError(err);
    }
  };
  return el(
    'div',
    { class: 'inline webhook-actions' },
    action(bi('投递记录', 'Deliveries'), `投递记录 Deliveries ${hook.url}`, () => go(node.id, hook.id)),
    action(
      hook.enabled ? bi('停用', 'Disable') : bi('启用', 'Enable'),
      `${hook.enabled ? '停用 Disable' : '启用 Enable'} ${hook.url}`,
      () =>
        run(
          () => call('PATCH', path, { enabled: !hook.enabled }),
          hook.enabled ? `已停用 Disabled: ${hook.url}` : `已启用 Enabled: ${hook.url}`,
        ),
    ),
    action(bi('发送测试', 'Send test'), `发送测试 Send test ${hook.url}`, () =>
      run(async () => {
        await post(`${path}/test`, {});
        stay(node.id, hook.id);
      }, `测试事件已排队 Test event queued: ${hook.url}`),
    ),
    action(bi('轮换密钥', 'Rotate secret'), `轮换密钥 Rotate secret ${hook.url}`, () => {
      if (
        !window.confirm(
          `换一个新的签名密钥？旧密钥立即失效。\nReplace the signing secret of ${hook.url}? The old one stops working now.`,
        )
      )
        return;
      void run(async () => {
        fresh = await post(`${path}/rotate-secret`, {});
      }, `已换新密钥 New secret: ${hook.url}`);
    }),
    action(
      bi('删除', 'Delete'),
      `删除 Delete ${hook.url}`,
      () => {
        if (!window.confirm(`删除此接收地址及其投递记录？\nDelete ${hook.url} and its delivery history?`))
          return;
        void run(async () => {
          await call('DELETE', path);
          if (hashParams().get('hook') === hook.id) stay(node.id);
        }, `已删除 Deleted: ${hook.url}`);
      },
      'danger',
    ),
  );
}

const stateOf = (hook) =>
  hook.enabled
    ? badge('ok', '启用 enabled')
    : el(
        'span',
        {},
        badge('bad', '停用 disabled'),
        hook.disabledReason ? el('span', { class: 'muted' }, ` ${hook.disabledReason}`) : '',
      );

async function deliveriesSection(hook, zone, ctx) {
  const { items } = await get(
    `/api/v1/admin/webhooks/${encodeURIComponent(hook.id)}/deliveries${query({ limit: 50 })}`,
  );
  const at = (list, key) =>
    timeColumn(
      '',
      list.map((d) => ({ iso: d[key], timeZone: zone })),
      zone,
    );
  const created = timeColumn(
    '创建 Created',
    items.map((d) => ({ iso: d.createdAt, timeZone: zone })),
    zone,
  );
  const next = at(items, 'nextAttemptAt');
  const done = at(items, 'deliveredAt');
  const rows = items.map((d, i) => [
    created.cells[i],
    el('code', {}, d.eventType),
    badge(...DELIVERY_STATE[d.state]),
    String(d.attempts),
    d.state === 'pending' ? next.cells[i] : '—',
    d.lastStatus === null ? '—' : String(d.lastStatus),
    d.lastError ?? '—',
    done.cells[i],
  ]);
  const refresh = el('button', { type: 'button', class: 'secondary' }, ...bi('刷新', 'Refresh'));
  refresh.addEventListener('click', () => ctx.refresh());
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'webhook-deliveries-title', id: 'webhook-deliveries' },
    el('h2', { id: 'webhook-deliveries-title' }, ...bi('投递记录', 'Deliveries'), ': ', hook.url),
    el(
      'p',
      { class: 'muted' },
      ...bi(`最新的在前，最近 50 条；${zone} 时间。`, `Newest first, last 50; times on the ${zone} clock.`),
      ' ',
      refresh,
    ),
    rows.length
      ? table(
          `投递记录 Deliveries of ${hook.url}`,
          [
            created.header,
            '事件 Event',
            '状态 State',
            '尝试 Attempts',
            ['下次尝试 Next attempt ', el('span', { class: 'zone' }, `(${zone})`)],
            '最后状态码 Last status',
            '最后错误 Last error',
            ['送达 Delivered ', el('span', { class: 'zone' }, `(${zone})`)],
          ],
          rows,
        )
      : el('p', { class: 'muted' }, ...bi('还没有投递。', 'No deliveries yet.')),
  );
}

function forbidden(view, err) {
  view.replaceChildren(
    el('h1', {}, ...bi('Webhook 推送', 'Webhooks')),
    el(
      'section',
      { class: 'card', 'aria-labelledby': 'webhooks-forbidden' },
      el('h2', { id: 'webhooks-forbidden' }, ...bi('没有权限', 'Not allowed')),
      el(
        'p',
        {},
        ...bi(
          '只有管理员可以管理 Webhook（权限 webhooks.manage），因为接收地址由管理员决定。',
          'Only admins manage webhooks (permission webhooks.manage), since the admin chooses where events go.',
        ),
        ' ',
        el('code', {}, err.code),
      ),
    ),
  );
}

export async function renderWebhooks(view, ctx) {
  const secret = fresh;
  fresh = undefined;
  const { nodes } = await get('/api/v1/admin/nodes');
  const zones = await loadZones(ctx.session, nodes);
  const params = hashParams();
  const node =
    nodes.find((n) => n.id === params.get('node')) ??
    nodes.find((n) => n.id === ctx.session.admin.nodeId) ??
    nodes[0];
  let hooks;
  try {
    hooks = (await get(`/api/v1/admin/nodes/${encodeURIComponent(node.id)}/webhooks`)).items;
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return forbidden(view, err);
    throw err;
  }
  const zone = zones.of(node.id);
  const names = (n) => n.path?.join(' › ') || n.name;

  const picker = el(
    'form',
    { class: 'inline', id: 'webhooks-node-form' },
    el('label', { for: 'webhooks-node' }, ...bi('节点', 'Node')),
    el(
      'select',
      { id: 'webhooks-node' },
      nodes.map((n) => el('option', { value: n.id, selected: n.id === node.id }, names(n))),
    ),
    el('button', { type: 'submit', class: 'secondary' }, ...bi('查看', 'Show')),
  );
  picker.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(picker.querySelector('#webhooks-node').value);
  });

  const created = timeColumn(
    '创建时间 Created',
    hooks.map((w) => ({ iso: w.createdAt, timeZone: zone })),
    zone,
  );
  const rows = hooks.map((w, i) => [
    el('code', {}, w.url),
    w.events.join(', '),
    w.description || '—',
    stateOf(w),
    [created.cells[i], el('br'), el('span', { class: 'muted' }, w.createdBy)],
    actions(w, node, ctx),
  ]);
  const chosen = hooks.find((w) => w.id === params.get('hook'));

  view.replaceChildren(
    el('h1', {}, ...bi('Webhook 推送', 'Webhooks')),
    el(
      'p',
      { class: 'muted' },
      ...bi(
        '把告警推送到您自己的值班系统：每次请求都带签名，失败会重试。',
        'Carry alerts to your own pager: every request is signed, failures are retried.',
      ),
    ),
    ...(secret ? [secretBox(secret)] : []),
    picker,
    el(
      'section',
      { class: 'card', 'aria-labelledby': 'webhooks-list-title' },
      el(
        'h2',
        { id: 'webhooks-list-title' },
        ...bi(`接收地址（${hooks.length}）`, 'Endpoints'),
        ' · ',
        names(node),
      ),
      rows.length
        ? table(
            `${names(node)} 的接收地址 Endpoints`,
            ['地址 URL', '事件 Events', '说明 Description', '状态 State', created.header, '操作 Actions'],
            rows,
          )
        : el('p', { class: 'muted' }, ...bi('此节点还没有接收地址。', 'This node has no endpoints yet.')),
    ),
    ...(chosen ? [await deliveriesSection(chosen, zone, ctx)] : []),
    createForm(node, ctx),
  );
  if (secret) view.querySelector('#webhook-secret')?.focus();
}
