import type { AppointmentSlip } from '../../../../protocol/schemas/services.js';
import type { SlipVerdict } from '../../services/public-services/appointment-admin.js';
import { escapeHtml, renderVerdictPage } from './verdict-page.js';

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
  return renderVerdictPage({
    status: v.status,
    banner: BANNER[v.status],
    reason: v.reason,
    details: v.status === 'valid' && v.slip ? details(v.slip) : '',
    css: `  h1 small, th small, td small { display: block; font-size: .7em; font-weight: 400; color: #333; }
  .number { text-align: center; font-size: 4rem; font-weight: 700; margin: 1.25rem 0 0; letter-spacing: .05em; }
  .number small { display: block; font-size: 1.1rem; font-weight: 400; letter-spacing: 0; }
  table { margin-top: 1rem; }
  th { width: 34%; }
  .status-canceled td { font-weight: 700; color: #a11212; }
  .status-booked td { font-weight: 700; }
  a { color: #0b4f9c; }
  footer { color: #444; }`,
    footer: { zh: '邻里社区自助终端预约单校验', en: 'Linli community kiosk appointment check' },
    code: v.code,
  });
}
