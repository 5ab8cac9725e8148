// The device page's health section (issue 12): each peripheral's state with an icon and words, disk, clock
// skew, the runtime, and the device's alerts (unresolved first). Reads GET /api/v1/admin/devices/:id/health.

import { ruleText, severityBadge, sortAlerts, stateBadge } from './alert-words.js';
import { get } from './api.js';
import { badge, bi, el, table, zoned } from './dom.js';
import { loadZones } from './zones.js';

const absent = () => badge('bad', '未连接 Not connected');

function printerState(p) {
  if (!p.present) return absent();
  if (!p.online) return badge('bad', '离线 Offline');
  if (p.paper === 'out') return badge('bad', '缺纸 Paper out');
  if (p.coverOpen) return badge('warn', '盖未关 Cover open');
  if (p.paper === 'low') return badge('warn', '纸将尽 Paper low');
  if (p.paper === 'unknown') return badge('info', '纸量未知 Paper unknown');
  return badge('ok', '正常 OK');
}

function peripheralRows(report, timeZone) {
  const p = report.peripherals ?? {};
  const rows = [];
  if (p.printer)
    rows.push([
      ...bi('小票打印机', 'Receipt printer'),
      printerState(p.printer),
      `纸 paper: ${p.printer.paper}`,
    ]);
  if (p.terminal)
    rows.push([
      ...bi('支付终端', 'Payment terminal'),
      !p.terminal.present
        ? absent()
        : p.terminal.reachable
          ? badge('ok', '可用 Reachable')
          : badge('bad', '无响应 Unreachable'),
      '',
    ]);
  if (p.cardReader)
    rows.push([
      ...bi('读卡器', 'Card reader'),
      !p.cardReader.present
        ? absent()
        : p.cardReader.online
          ? badge('ok', '正常 OK')
          : badge('bad', '离线 Offline'),
      '',
    ]);
  if (p.led)
    rows.push([
      ...bi('LED 控制器', 'LED controller'),
      !p.led.present ? absent() : p.led.online ? badge('ok', '正常 OK') : badge('bad', '离线 Offline'),
      `最后应答 last ACK ${zoned(p.led.lastAckAt, timeZone)} · NAK ${p.led.naks} · 超时 timeouts ${p.led.timeouts}`,
    ]);
  if (report.browser)
    rows.push([
      ...bi('屏幕浏览器', 'Screen browser'),
      report.browser.alive ? badge('ok', '运行中 Alive') : badge('bad', '未运行 Not running'),
      report.browser.restarts !== undefined ? `重启 restarts ${report.browser.restarts}` : '',
    ]);
  // bi() gives [zh, ' ', span]: one cell for the name.
  return rows.map((r) => [el('span', {}, r[0], r[1], r[2]), r[3], r[4]]);
}

const gb = (bytes) => `${(bytes / 1e9).toFixed(1)} GB`;

function diskBadge(r) {
  if (r.diskFreeBytes === null) return badge('info', '未知 Unknown');
  const share = r.diskTotalBytes ? r.diskFreeBytes / r.diskTotalBytes : 1;
  const text = `剩余 free ${gb(r.diskFreeBytes)}${r.diskTotalBytes ? ` / ${gb(r.diskTotalBytes)}` : ''}`;
  return badge(share < 0.05 ? 'bad' : share < 0.15 ? 'warn' : 'ok', text);
}

function skewBadge(ms) {
  if (ms === null) return badge('info', '未知 Unknown');
  const s = Math.round(ms / 1000);
  const text = `${s > 0 ? '快' : s < 0 ? '慢' : '准'} ${Math.abs(s)} 秒 ${s > 0 ? 'ahead' : s < 0 ? 'behind' : 'in step'} (${s} s)`;
  return badge(Math.abs(ms) > 60_000 ? 'bad' : Math.abs(ms) > 5_000 ? 'warn' : 'ok', text);
}

export const HEALTH_SECTION = {
  id: 'health',
  // The device page renders the title as the section's heading.
  title: '健康状态 Health',
  async render(container, device, ctx) {
    const [h, zones] = await Promise.all([
      get(`/api/v1/admin/devices/${encodeURIComponent(device.id)}/health?limit=1`),
      loadZones(ctx.session),
    ]);
    const tz = zones.of(device.nodeId);
    const parts = [];
    if (!h.latest) {
      parts.push(
        el(
          'p',
          { class: 'muted' },
          ...bi('设备尚未上报健康状态。', 'The device has not reported its health yet.'),
        ),
      );
    } else {
      const r = h.latest.report;
      parts.push(
        el(
          'p',
          { class: 'summary' },
          h.online ? badge('ok', '在线 Online') : badge('bad', '离线 Offline'),
          ` 上报于 reported ${zoned(h.latest.receivedAt, tz)} · 版本 version ${r.runtimeVersion} · 运行 up ${Math.floor(r.uptimeSec / 3600)} h`,
        ),
        table('外设 Peripherals', ['外设 Peripheral', '状态 State', '详情 Detail'], peripheralRows(r, tz)),
        table(
          '设备 Device',
          ['项目 Item', '状态 State'],
          [
            [el('span', {}, ...bi('磁盘（状态目录）', 'Disk (state dir)')), diskBadge(r)],
            [el('span', {}, ...bi('时钟偏差', 'Clock skew')), skewBadge(r.clockSkewMs)],
            // Only a kiosk takes payments.
            device.role === 'kiosk' && [
              el('span', {}, ...bi('结果未知的支付', 'Payments with unknown outcome')),
              r.unknownPayments > 0 ? badge('warn', `${r.unknownPayments} 笔 open`) : badge('ok', '无 none'),
            ],
          ].filter(Boolean),
        ),
      );
    }
    const alerts = sortAlerts(h.alerts);
    parts.push(
      alerts.length
        ? table(
            '本设备的告警 This device’s alerts',
            ['级别 Severity', '告警 Alert', '状态 State', '发生 Opened', '解决 Resolved'],
            alerts.map((a) => [
              severityBadge(a.severity),
              ruleText(a.rule),
              stateBadge(a.state),
              zoned(a.openedAt, tz),
              a.resolvedAt ? zoned(a.resolvedAt, tz) : '—',
            ]),
          )
        : el('p', { class: 'muted' }, ...bi('本设备没有告警。', 'No alerts for this device.')),
    );
    container.replaceChildren(...parts);
  },
};
