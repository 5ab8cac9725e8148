// A device's online history on its page: a strip of the last 7 days (online stretches on the device's own
// clock) and the table of its channel sessions, each with why it ended.
import { bi, el, time, timeColumn } from './dom.js';

const DAY = 86_400_000;

const REASON = {
  device: '设备断开 closed by the device',
  heartbeat: '心跳超时 no heartbeat',
  replaced: '新连接取代 replaced by a new connection',
  superseded: '连到其他实例 moved to another instance',
  server: '服务器关闭 closed by the server',
  'server-stop': '服务器停止 server stopped',
  'instance-lost': '实例失联 server instance lost',
};
const CODE = {
  1000: '正常 clean',
  1001: '关机 going away',
  1005: '无状态码 no status',
  1006: '网络中断 dropped',
  1008: '已吊销 revoked',
  4000: '',
};

export function reasonText(s) {
  if (!s.closeReason) return s.disconnectedAt ? '—' : '仍在线 still online';
  const code = s.closeCode !== null && s.closeCode !== undefined ? CODE[s.closeCode] : undefined;
  const extra =
    s.closeCode !== null && s.closeCode !== undefined ? ` (${code ? `${code}, ` : ''}${s.closeCode})` : '';
  return `${REASON[s.closeReason] ?? s.closeReason}${extra}`;
}

export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} 秒 s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} 分 min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} 时 h ${m % 60} 分 min`;
  return `${Math.floor(h / 24)} 天 d ${h % 24} 时 h`;
}

/** Online stretches inside [from, to], merged where they overlap. */
function stretches(sessions, from, to) {
  const parts = sessions
    .map((s) => [
      Math.max(Date.parse(s.connectedAt), from),
      Math.min(s.disconnectedAt ? Date.parse(s.disconnectedAt) : to, to),
    ])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const p of parts) {
    const last = out.at(-1);
    if (last && p[0] <= last[1]) last[1] = Math.max(last[1], p[1]);
    else out.push([...p]);
  }
  return out;
}

/** Midnights on the device's clock between from and to (for the strip's day marks). */
function midnights(from, to, timeZone) {
  const out = [];
  for (let t = from + DAY; t <= to + DAY; t += DAY) {
    const [, hm] = time(new Date(t).toISOString(), timeZone).split(' ');
    const [h, m] = hm.split(':').map(Number);
    const mid = t - (h * 60 + m) * 60_000 - (t % 60_000);
    if (mid > from && mid < to && !out.includes(mid)) out.push(mid);
  }
  return out;
}

/**
 * `sessions`: the API's list (newest first) covering at least the window; `timeZone`: the device's node's.
 */
export function renderHistory(container, sessions, { timeZone, now = Date.now(), days = 7, rows = 50 }) {
  const from = now - days * DAY;
  const on = stretches(sessions, from, now);
  const onMs = on.reduce((sum, [a, b]) => sum + (b - a), 0);
  const pct = Math.round((onMs / (now - from)) * 1000) / 10;
  const strip = el('div', {
    class: 'strip',
    role: 'img',
    'aria-label': `最近 ${days} 天在线 ${pct}%，共 ${on.length} 段 · online ${pct}% of the last ${days} days, ${on.length} stretches`,
  });
  for (const [a, b] of on) {
    const seg = el('span', { class: 'seg' });
    // CSSOM, not a style attribute: the console's CSP allows no inline styles.
    seg.style.left = `${((a - from) / (now - from)) * 100}%`;
    seg.style.width = `${Math.max(0.2, ((b - a) / (now - from)) * 100)}%`;
    strip.append(seg);
  }
  const marks = el('div', { class: 'strip-days', 'aria-hidden': 'true' });
  for (const mid of midnights(from, now, timeZone)) {
    const m = el('span', {}, time(new Date(mid).toISOString(), timeZone).slice(5, 10));
    m.style.left = `${((mid - from) / (now - from)) * 100}%`;
    marks.append(m);
  }

  const recent = sessions.filter((s) => !s.disconnectedAt || Date.parse(s.disconnectedAt) >= from);
  const shown = recent.slice(0, rows);
  const connected = timeColumn(
    '连接 Connected',
    shown.map((s) => ({ iso: s.connectedAt, timeZone })),
    timeZone,
  );
  const closed = timeColumn(
    '断开 Disconnected',
    shown.map((s) => ({ iso: s.disconnectedAt, timeZone })),
    timeZone,
  );
  container.replaceChildren(
    el(
      'p',
      { class: 'strip-legend' },
      el('span', { class: 'key on', 'aria-hidden': 'true' }),
      ` 在线 online · 最近 ${days} 天 last ${days} days: `,
      el('strong', { id: 'uptime' }, pct === 0 && onMs > 0 ? '< 0.1%' : `${pct}%`),
      ` (${duration(onMs)})`,
    ),
    strip,
    marks,
    shown.length === 0
      ? el('p', {}, ...bi('最近没有连接记录。', 'No connection in this period.'))
      : el(
          'table',
          { id: 'sessions' },
          el('caption', {}, `连接记录 Sessions (${shown.length} / ${recent.length})`),
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              [connected.header, closed.header, '时长 Duration', '原因 Why it ended', '实例 Instance'].map(
                (h) => el('th', { scope: 'col' }, h),
              ),
            ),
          ),
          el(
            'tbody',
            {},
            shown.map((s, i) =>
              el(
                'tr',
                {},
                el('td', {}, connected.cells[i]),
                el('td', {}, s.disconnectedAt ? closed.cells[i] : '—'),
                el(
                  'td',
                  {},
                  duration(
                    (s.disconnectedAt ? Date.parse(s.disconnectedAt) : now) - Date.parse(s.connectedAt),
                  ),
                ),
                el('td', {}, reasonText(s)),
                el('td', {}, el('code', {}, s.instanceId)),
              ),
            ),
          ),
        ),
  );
}
