// Reconciliation: the day's report per biller and per community, mismatches, and the CSV download.
import { call, get, query } from './api.js';
import { badge, bi, el, table, today, yuan } from './dom.js';
import { loadZones } from './zones.js';

const row = (r) => [
  r.name,
  String(r.payments),
  `${r.paidCount} · ${yuan(r.paidFen)}`,
  `${r.postedCount} · ${yuan(r.postedFen)}`,
  `${r.capturedCount} · ${yuan(r.capturedFen)}`,
  `${r.voidedCount} · ${yuan(r.voidedFen)}`,
  `${r.refundedCount} · ${yuan(r.refundedFen)}`,
  String(r.openCount),
  yuan(r.netFen),
];
const HEAD = [
  '',
  '笔数 Count',
  '已付 Paid',
  '已入账 Posted',
  '已扣款 Captured',
  '已撤销 Voided',
  '已退款 Refunded',
  '未完成 Open',
  '净额 Net',
];

export async function renderReconciliation(view, ctx) {
  const { home } = await loadZones(ctx.session);
  const date = new URLSearchParams(location.hash.split('?')[1] ?? '').get('date') ?? today(home);
  const r = await get(`/api/v1/admin/reconciliation${query({ date })}`);
  const form = el(
    'form',
    { class: 'inline' },
    el('label', { for: 'rec-date' }, ...bi('日期', 'Day')),
    el('input', { id: 'rec-date', type: 'date', value: date, required: true }),
    el('button', { type: 'submit', class: 'secondary' }, ...bi('查看', 'Show')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `reconciliation?date=${form.querySelector('#rec-date').value}`;
  });
  const csv = el(
    'button',
    { type: 'button', class: 'secondary', id: 'csv' },
    ...bi('下载 CSV', 'Download CSV'),
  );
  csv.addEventListener('click', async () => {
    try {
      const res = await call(
        'GET',
        `/api/v1/admin/reconciliation${query({ date, format: 'csv' })}`,
        undefined,
        { raw: true },
      );
      const url = URL.createObjectURL(await res.blob());
      const a = el('a', { href: url, download: `reconciliation-${date}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      ctx.flashError(err);
    }
  });
  view.replaceChildren(
    el('h1', {}, ...bi('对账', 'Reconciliation')),
    form,
    el(
      'p',
      { class: 'summary' },
      r.balanced
        ? badge('ok', '账目平衡 balanced')
        : badge('bad', `有 ${r.mismatches.length} 处不符 mismatches`),
      ` ${r.date}（${r.timezone}） · 净额 net ${yuan(r.totals.netFen)} `,
      csv,
    ),
    el(
      'section',
      { class: 'card' },
      table('按缴费项目 By biller', HEAD, [...r.byBiller.map(row), row({ ...r.totals, name: '合计 Total' })]),
    ),
    el('section', { class: 'card' }, table('按社区 By community', HEAD, r.byCommunity.map(row))),
    r.mismatches.length
      ? el(
          'section',
          { class: 'card' },
          table(
            '不符项 Mismatches',
            ['类型 Kind', '缴费 Payment', '说明 Detail'],
            r.mismatches.map((m) => [m.kind, m.paymentId, m.detail]),
          ),
        )
      : null,
  );
}
