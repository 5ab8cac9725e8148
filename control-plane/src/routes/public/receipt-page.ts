import { formatFen } from '../../../../protocol/money.js';
import type { Receipt } from '../../../../protocol/schemas/receipt.js';
import type { Verdict } from '../../services/receipts.js';
import { escapeHtml, renderVerdictPage } from './verdict-page.js';

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
  return renderVerdictPage({
    status: v.status,
    banner: BANNER[v.status],
    reason: v.reason,
    details: v.status === 'valid' && v.receipt ? details(v.receipt, v.timezone) : '',
    css: `  h1 small, th small { display: block; font-size: .6em; font-weight: 400; }
  table { margin-top: 1.5rem; }
  th { width: 38%; }
  td { font-variant-numeric: tabular-nums; }
  footer { color: #555; }`,
    footer: { zh: '邻里社区自助终端收据校验', en: 'Linli community kiosk receipt check' },
    code: v.code,
  });
}
