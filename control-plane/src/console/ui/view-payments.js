// Payments: the day's payments in scope, one payment's audit trail, refunds (idempotent) and reprints.
import { call, get, post, query } from './api.js';
import { badge, bi, el, table, timeColumn, today, yuan } from './dom.js';
import { loadZones } from './zones.js';

const STATE = {
  closed: ['ok', '已完成 closed'],
  receipted: ['ok', '已出凭证 receipted'],
  captured: ['ok', '已扣款 captured'],
  posted: ['info', '已入账 posted'],
  authorized: ['info', '已授权 authorized'],
  presented: ['info', '待付款 presented'],
  created: ['info', '已创建 created'],
  canceled: ['info', '已取消 canceled'],
  voided: ['warn', '已撤销 voided'],
  unknown: ['warn', '待确认 unknown'],
  refund_pending: ['warn', '退款中 refund pending'],
  refunded: ['info', '已退款 refunded'],
};
const BILLER = {
  water: '水费 water',
  electricity: '电费 electricity',
  gas: '燃气 gas',
  property: '物业 property',
};

function stateBadge(s) {
  const [k, t] = STATE[s] ?? ['info', s];
  return badge(k, t);
}

function randomKey() {
  const b = new Uint8Array(18);
  crypto.getRandomValues(b);
  return `rf_${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Who made a step, by name: `device:<id>` is the kiosk's name (id in the title and as small text), an admin
 * is named as such, `system` is the control plane's own recovery.
 */
function actorCell(actor, devices) {
  const [kind, id] = actor.includes(':') ? actor.split(/:(.*)/s) : [actor, ''];
  if (kind === 'device') {
    const d = devices.get(id);
    return el(
      'span',
      { title: id },
      d ? d.name : '终端 device',
      ' ',
      el('small', { class: 'muted' }, el('code', {}, id)),
    );
  }
  if (kind === 'admin')
    return el('span', { title: id }, '管理员 admin ', el('small', { class: 'muted' }, el('code', {}, id)));
  if (kind === 'system') return '系统 system';
  return actor;
}

async function showDetail(box, id, ctx, zones) {
  const [p, devices] = await Promise.all([
    get(`/api/v1/admin/payments/${id}`),
    // Staff may not list devices: the trail then shows ids, which is still true.
    get('/api/v1/admin/devices').then(
      (r) => new Map(r.devices.map((d) => [d.id, d])),
      () => new Map(),
    ),
  ]);
  const tz = zones.of(p.communityId);
  const refundable = p.amountFen - p.refundedFen;
  // One key per opened form: a double click or a retry after a lost answer refunds once.
  const key = randomKey();
  const refund = el(
    'form',
    { class: 'inline', id: 'refund-form' },
    el('label', { for: 'refund-amount' }, ...bi('退款金额（元）', 'Refund (yuan)')),
    el('input', {
      id: 'refund-amount',
      inputmode: 'decimal',
      required: true,
      value: (refundable / 100).toFixed(2),
    }),
    el('label', { for: 'refund-reason' }, ...bi('原因', 'Reason')),
    el('input', { id: 'refund-reason', required: true, maxlength: 200 }),
    el('button', { type: 'submit', class: 'primary' }, ...bi('退款', 'Refund')),
  );
  refund.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = refund.querySelector('#refund-amount').value.trim();
    if (!/^\d+(\.\d{1,2})?$/.test(text)) return ctx.flash('金额格式：如 12.50 Amount like 12.50', 'error');
    const [y, f = ''] = text.split('.');
    const amountFen = Number(y) * 100 + Number(f.padEnd(2, '0'));
    try {
      const r = await call(
        'POST',
        `/api/v1/admin/payments/${id}/refunds`,
        { amountFen, reason: refund.querySelector('#refund-reason').value.trim() },
        { idempotencyKey: key },
      );
      ctx.flash(`已退款 Refunded ${yuan(r.refund.amountFen)}（${r.refund.state}）`);
      await showDetail(box, id, ctx, zones);
    } catch (err) {
      ctx.flashError(err);
    }
  });
  const reprint = el(
    'button',
    { type: 'button', class: 'secondary', id: 'reprint' },
    ...bi('在终端补打凭证', 'Reprint on the kiosk'),
  );
  reprint.addEventListener('click', async () => {
    try {
      const r = await post(`/api/v1/admin/payments/${id}/reprint`, {});
      ctx.flash(`已安排补打 Reprint queued (${r.state})`);
    } catch (err) {
      ctx.flashError(err);
    }
  });
  const trail = p.transitions ?? [];
  const at = timeColumn(
    '时间 At',
    trail.map((t) => ({ iso: t.at, timeZone: tz })),
    tz,
  );
  box.replaceChildren(
    el('h2', {}, ...bi('缴费详情', 'Payment'), ' ', el('code', {}, p.id)),
    el(
      'dl',
      { class: 'details' },
      el('dt', {}, '状态 State'),
      el('dd', {}, stateBadge(p.state)),
      el('dt', {}, '金额 Amount'),
      el('dd', {}, yuan(p.amountFen), p.refundedFen ? ` （已退 refunded ${yuan(p.refundedFen)}）` : ''),
      el('dt', {}, '项目 Biller'),
      el('dd', {}, BILLER[p.billerId] ?? p.billerId, ` · ${p.accountMasked} · ${p.period}`),
      el('dt', {}, '社区 Community'),
      el('dd', {}, p.communityName),
      el('dt', {}, '方式 Method'),
      el('dd', {}, p.method === 'qr' ? '扫码 QR' : '刷卡 terminal', p.maskedCard ? ` · ${p.maskedCard}` : ''),
      el('dt', {}, '终端 Kiosk'),
      el('dd', {}, actorCell(`device:${p.deviceId}`, devices)),
      el('dt', {}, '凭证 Receipt'),
      el('dd', {}, p.receiptId ? el('a', { href: `/r/${p.receiptId}` }, p.receiptId) : '—'),
    ),
    table(
      '状态变更记录 Audit trail',
      [at.header, '从 From', '到 To', '操作者 Actor'],
      trail.map((t, i) => [at.cells[i], t.from ?? '—', t.to, actorCell(t.actor, devices)]),
    ),
    p.receiptId && refundable > 0 && ctx.session.admin.role === 'admin' ? refund : null,
    p.receiptId ? reprint : null,
  );
  box.hidden = false;
  box.querySelector('h2').focus?.();
}

export async function renderPayments(view, ctx) {
  const zones = await loadZones(ctx.session);
  // The API reads `date` on the admin's node's clock; so does the default.
  const date = new URLSearchParams(location.hash.split('?')[1] ?? '').get('date') ?? today(zones.home);
  const { payments } = await get(`/api/v1/admin/payments${query({ date, limit: 200 })}`);
  const created = timeColumn(
    '时间 Time',
    payments.map((p) => ({ iso: p.createdAt, timeZone: zones.of(p.communityId) })),
    zones.home,
  );
  const detail = el('section', { class: 'card', id: 'payment-detail', hidden: true, tabindex: '-1' });
  const dateForm = el(
    'form',
    { class: 'inline' },
    el('label', { for: 'pay-date' }, ...bi('日期', 'Day')),
    el('input', { id: 'pay-date', type: 'date', value: date, required: true }),
    el('button', { type: 'submit', class: 'secondary' }, ...bi('查看', 'Show')),
  );
  dateForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `payments?date=${dateForm.querySelector('#pay-date').value}`;
  });
  view.replaceChildren(
    el('h1', {}, ...bi('缴费', 'Payments')),
    dateForm,
    el(
      'section',
      { class: 'card' },
      table(
        `${date}（${zones.home}）的缴费（${payments.length} 笔） Payments of the day`,
        [created.header, '项目 Biller', '户号 Account', '金额 Amount', '状态 State', ''],
        payments.map((p, i) => [
          created.cells[i],
          BILLER[p.billerId] ?? p.billerId,
          p.accountMasked,
          yuan(p.amountFen),
          stateBadge(p.state),
          el(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'aria-label': `详情 Details ${p.id}`,
              onclick: () => showDetail(detail, p.id, ctx, zones).catch(ctx.flashError),
            },
            ...bi('详情', 'Details'),
          ),
        ]),
      ),
    ),
    detail,
  );
}
