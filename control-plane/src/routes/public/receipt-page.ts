import { formatFen } from '../../../../protocol/money.js';
import type { Receipt } from '../../../../protocol/schemas/receipt.js';
import type { Verdict } from '../../services/receipts.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const BANNER = {
  valid: { icon: '✓', zh: '收据真实有效', en: 'This receipt is genuine', color: '#0a6b2d', bg: '#e3f5e8' },
  invalid: { icon: '✗', zh: '收据无效', en: 'This receipt is NOT valid', color: '#a11212', bg: '#fde8e8' },
  unknown: { icon: '?', zh: '查无此收据', en: 'No such receipt', color: '#6b4e00', bg: '#fff4d6' },
} as const;

const METHOD = { terminal: { zh: '银行卡', en: 'Card' }, qr: { zh: '扫码支付', en: 'QR wallet' } } as const;

function formatTime(iso: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('zh-CN', {
      timeZone,
      dateStyle: 'medium',
      timeStyle: 'medium',
      hourCycle: 'h23',
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

function row(zh: string, en: string, value: string): string {
  return `<tr><th scope="row"><span lang="zh">${zh}</span><small lang="en">${en}</small></th><td>${escapeHtml(value)}</td></tr>`;
}

function details(r: Receipt, timeZone: string): string {
  const rows = [
    row('金额', 'Amount', `¥ ${formatFen(r.amountFen)}`),
    row('收费项目', 'Biller', `${r.billerName.zh}${r.billerName.en ? ` · ${r.billerName.en}` : ''}`),
    row('户号', 'Account', r.accountMasked),
    row('账期', 'Period', r.period),
    row('支付时间', 'Paid at', `${formatTime(r.paidAt, timeZone)} (${timeZone})`),
    row('社区', 'Community', r.communityName),
    row(
      '支付方式',
      'Method',
      `${METHOD[r.method].zh} · ${METHOD[r.method].en}${r.maskedCard ? ` ${r.maskedCard}` : ''}`,
    ),
    ...(r.authCode ? [row('授权码', 'Auth code', r.authCode)] : []),
    row('收据编号', 'Receipt no.', r.id),
  ];
  return `<table>${rows.join('')}</table>`;
}

/** The page a receipt's QR code opens: one glance says genuine or not, in Chinese and English. */
export function renderReceiptPage(v: Verdict): string {
  const b = BANNER[v.status];
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${b.zh} · ${b.en} — Linli 邻里</title>
<style>
  body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; margin: 0;
         font-size: 22px; line-height: 1.5; color: #111; background: #fafafa; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  .banner { background: ${b.bg}; color: ${b.color}; border: 3px solid ${b.color}; border-radius: 12px;
            padding: 1.25rem; text-align: center; }
  .icon { font-size: 4rem; line-height: 1; font-weight: 700; }
  h1 { font-size: 2rem; margin: .5rem 0 0; }
  h1 small, th small { display: block; font-size: .6em; font-weight: 400; }
  .reason { margin: 1rem 0 0; font-size: 1.1rem; }
  .reason span { display: block; }
  table { width: 100%; border-collapse: collapse; margin-top: 1.5rem; background: #fff; }
  th, td { text-align: left; padding: .6rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { width: 38%; font-weight: 600; }
  td { font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
  footer { margin-top: 2rem; font-size: .9rem; color: #555; }
</style>
</head>
<body>
<main>
  <section class="banner" role="status" aria-live="polite" data-status="${v.status}">
    <div class="icon" aria-hidden="true">${b.icon}</div>
    <h1><span lang="zh">${b.zh}</span><small lang="en">${b.en}</small></h1>
    <p class="reason"><span lang="zh">${escapeHtml(v.reason.zh)}</span><span lang="en">${escapeHtml(v.reason.en)}</span></p>
  </section>
  ${v.status === 'valid' && v.receipt ? details(v.receipt, v.timezone) : ''}
  <footer>
    <span lang="zh">邻里社区自助终端收据校验</span> · <span lang="en">Linli community kiosk receipt check</span>
    ${v.code && v.status !== 'valid' ? `<br><code>${escapeHtml(v.code)}</code>` : ''}
  </footer>
</main>
</body>
</html>
`;
}
