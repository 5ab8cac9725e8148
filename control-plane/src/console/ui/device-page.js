// The device page (`#devices?id=dev_…`): header (role, node path, online now and since, software version,
// last seen), online history, live screenshot, proof of play, then every section of DEVICE_SECTIONS, each
// in its own labelled region so that one section failing never takes the page down.
import { ApiError, get } from './api.js';
import { renderHistory } from './device-history.js';
import { renderScreenshot } from './device-screenshot.js';
import { DEVICE_SECTIONS } from './device-sections.js';
import { badge, bi, el, table, timeColumn, zoned } from './dom.js';

const ROLE = { kiosk: '自助终端 Kiosk', lobby: '大堂屏 Lobby', led: 'LED 屏 LED' };
const WEEK = 7 * 86_400_000;

function region(id, title, body) {
  return el(
    'section',
    { class: 'card', id: `sec-${id}`, 'aria-labelledby': `sec-${id}-title` },
    el('h2', { id: `sec-${id}-title` }, ...(Array.isArray(title) ? title : [title])),
    body,
  );
}

/** What an error inside a region says, so the rest of the page goes on. */
function failed(err) {
  return el(
    'p',
    { class: 'section-error', role: 'alert' },
    '✖ ',
    ...bi('这一部分无法显示：', 'This part could not be shown:'),
    ' ',
    String(err?.message ?? err),
    err instanceof ApiError ? [' ', el('code', {}, err.code)] : null,
  );
}

function softwareText(rt) {
  if (!rt) return ['未上报 not reported (older runtime)'];
  return [
    el('strong', {}, `Linli ${rt.version}`),
    rt.git ? [' · ', el('code', {}, rt.git)] : null,
    ` · Node ${rt.node}`,
    rt.platform ? ` · ${rt.platform}` : null,
  ];
}

function header(d) {
  const online =
    d.status === 'revoked'
      ? badge('bad', '已吊销 revoked')
      : d.online
        ? badge('ok', '在线 online')
        : badge('warn', '离线 offline');
  const row = (dt, ...dd) => [el('dt', {}, dt), el('dd', {}, ...dd)];
  return el(
    'dl',
    { class: 'details', id: 'device-header' },
    row('类型 Role', ROLE[d.role] ?? d.role),
    row('位置 Where', d.nodePath.join(' › ')),
    row('状态 Status', online, d.onlineSince ? ` 自 since ${zoned(d.onlineSince, d.timezone)}` : null),
    row('最后在线 Last seen', zoned(d.lastSeenAt, d.timezone)),
    row(
      '软件版本 Software',
      ...softwareText(d.runtime),
      d.runtime
        ? el('span', { class: 'muted' }, ` (上报于 told ${zoned(d.runtime.reportedAt, d.timezone)})`)
        : null,
    ),
    row('注册时间 Enrolled', zoned(d.enrolledAt, d.timezone)),
    row('标签 Tags', d.tags.length ? d.tags.join(', ') : '—'),
    row('时区 Time zone', d.timezone),
    row('编号 ID', el('code', {}, d.id)),
    d.hardware?.model || d.hardware?.hostname
      ? row(
          '硬件 Hardware',
          [d.hardware.model, d.hardware.hostname, d.hardware.serial].filter(Boolean).join(' · '),
        )
      : null,
  );
}

async function renderPlays(body, d) {
  const { plays } = await get(`/api/v1/admin/devices/${encodeURIComponent(d.id)}/plays?limit=20`);
  if (plays.length === 0) {
    body.replaceChildren(el('p', {}, ...bi('还没有播放记录。', 'Nothing shown yet.')));
    return;
  }
  const started = timeColumn(
    '开始 Started',
    plays.map((p) => ({ iso: p.startedAt, timeZone: d.timezone })),
    d.timezone,
  );
  body.replaceChildren(
    table(
      `最近 ${plays.length} 次播放 Last ${plays.length} showings`,
      [started.header, '通知 Notice', '版本 Version', '时长 Duration', '画面 Surface'],
      plays.map((p, i) => [
        started.cells[i],
        [el('code', {}, p.noticeId), p.emergency ? [' ', badge('alert', '紧急 emergency')] : null],
        String(p.version),
        `${Math.round(p.durationMs / 1000)} 秒 s`,
        p.surface,
      ]),
    ),
  );
}

/** Runs `work(body)`; an error is shown in that region only. */
async function contained(body, work) {
  try {
    await work(body);
  } catch (err) {
    body.replaceChildren(failed(err));
  }
}

export async function renderDevicePage(view, ctx, id) {
  const d = await get(`/api/v1/admin/devices/${encodeURIComponent(id)}`);
  const loading = () => el('div', { class: 'section-body' }, el('p', { class: 'muted' }, '加载中… Loading…'));
  const history = loading();
  const shot = loading();
  const plays = loading();
  const sections = DEVICE_SECTIONS.map((s) => ({ s, body: loading() }));
  view.replaceChildren(
    el('p', {}, el('a', { href: '#devices' }, '← ', ...bi('全部设备', 'All devices'))),
    el('h1', {}, d.name),
    region('header', bi('设备', 'Device'), header(d)),
    region('history', bi('在线记录（最近 7 天）', 'Online history (last 7 days)'), history),
    region('screenshot', bi('屏幕截图', 'Screenshot'), shot),
    region('plays', bi('播放记录', 'Proof of play'), plays),
    ...sections.map(({ s, body }) => region(String(s.id), s.title, body)),
  );
  const now = Date.now();
  await Promise.all([
    contained(history, async (body) => {
      const { sessions } = await get(
        `/api/v1/admin/devices/${encodeURIComponent(d.id)}/sessions?since=${encodeURIComponent(new Date(now - WEEK).toISOString())}&limit=1000`,
      );
      renderHistory(body, sessions, { timeZone: d.timezone, now });
    }),
    contained(shot, async (body) => renderScreenshot(body, d, ctx)),
    contained(plays, (body) => renderPlays(body, d)),
    ...sections.map(({ s, body }) => contained(body, async (b) => s.render(b, d, ctx))),
  ]);
}
