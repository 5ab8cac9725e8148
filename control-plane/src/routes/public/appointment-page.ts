import type { AppointmentSlip } from '../../../../protocol/schemas/services.js';
import type { SlipVerdict } from '../../services/public-services/appointment-admin.js';
import { escapeHtml } from './receipt-page.js';

const BANNER = {
  valid: {
    icon: '✓',
    zh: '预约真实有效',
    en: 'This appointment is genuine',
    color: '#0a6b2d',
    bg: '#e3f5e8',
  },
  invalid: { icon: '✗', zh: '预约单无效', en: 'This slip is NOT valid', color: '#a11212', bg: '#fde8e8' },
  unknown: { icon: '?', zh: '查无此预约', en: 'No such appointment', color: '#6b4e00', bg: '#fff4d6' },
} as const;

/** Status in words (never by colour alone). */
const STATUS = {
  booked: { zh: '已预约，请按时前往', en: 'Booked: please come on time' },
  canceled: { zh: '已取消', en: 'Canceled' },
  done: { zh: '已办结', en: 'Done' },
} as const;

function row(zh: string, en: string, value: string, cls = ''): string {
  return `<tr${cls ? ` class="${cls}"` : ''}><th scope="row"><span lang="zh">${zh}</span><small lang="en">${en}</small></th><td>${value}</td></tr>`;
}

const both = (t: { zh: string; en?: string }) =>
  `<span lang="zh">${escapeHtml(t.zh)}</span>${t.en ? `<small lang="en">${escapeHtml(t.en)}</small>` : ''}`;

function details(a: AppointmentSlip): string {
  const st = STATUS[a.status];
  return `<p class="number" aria-label="排队号 Queue number ${escapeHtml(a.number)}"><small>排队号 · Queue number</small>${escapeHtml(a.number)}</p>
  <table>${[
    row('状态', 'Status', both(st), `status-${a.status}`),
    row('办理事项', 'Matter', both(a.matterName)),
    row('预约时间', 'Time', escapeHtml(a.slotLabel)),
    row('办理地点', 'Office', `${both(a.officeName)}<br>${both(a.officeAddress)}`),
    row(
      '咨询电话',
      'Phone',
      `<a href="tel:${escapeHtml(a.officePhone.replace(/[^0-9+]/g, ''))}">${escapeHtml(a.officePhone)}</a>`,
    ),
    row('预约码', 'Booking code', escapeHtml(a.code)),
    row('预约编号', 'Appointment no.', escapeHtml(a.id)),
  ].join('')}</table>`;
}

/** The page an appointment slip's QR opens: genuine or not at one glance, Chinese first, phone-sized. */
export function renderAppointmentPage(v: SlipVerdict): string {
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
  h1 small, th small, td small { display: block; font-size: .7em; font-weight: 400; color: #333; }
  .reason { margin: 1rem 0 0; font-size: 1.1rem; }
  .reason span { display: block; }
  .number { text-align: center; font-size: 4rem; font-weight: 700; margin: 1.25rem 0 0; letter-spacing: .05em; }
  .number small { display: block; font-size: 1.1rem; font-weight: 400; letter-spacing: 0; }
  table { width: 100%; border-collapse: collapse; margin-top: 1rem; background: #fff; }
  th, td { text-align: left; padding: .6rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { width: 34%; font-weight: 600; }
  td { overflow-wrap: anywhere; }
  .status-canceled td { font-weight: 700; color: #a11212; }
  .status-booked td { font-weight: 700; }
  a { color: #0b4f9c; }
  footer { margin-top: 2rem; font-size: .9rem; color: #444; }
</style>
</head>
<body>
<main>
  <section class="banner" role="status" aria-live="polite" data-status="${v.status}">
    <div class="icon" aria-hidden="true">${b.icon}</div>
    <h1><span lang="zh">${b.zh}</span><small lang="en">${b.en}</small></h1>
    <p class="reason"><span lang="zh">${escapeHtml(v.reason.zh)}</span><span lang="en">${escapeHtml(v.reason.en)}</span></p>
  </section>
  ${v.status === 'valid' && v.slip ? details(v.slip) : ''}
  <footer>
    <span lang="zh">邻里社区自助终端预约单校验</span> · <span lang="en">Linli community kiosk appointment check</span>
    ${v.code && v.status !== 'valid' ? `<br><code>${escapeHtml(v.code)}</code>` : ''}
  </footer>
</main>
</body>
</html>
`;
}
