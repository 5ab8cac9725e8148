// The device page's configuration section (issue 12): each setting's effective value and where it comes
// from, the device's own overrides (editable by admins), what the device last reported (applied, waiting,
// partial, refused, with the failures and their codes) and whether it runs the current target.
import { call, get } from './api.js';
import { settingsTable } from './config-editor.js';
import { badge, bi, el, zoned } from './dom.js';
import { loadZones } from './zones.js';

const STATUS = {
  'in-step': ['ok', '已同步 In step', '设备已应用当前配置。', 'The device applied the current target.'],
  waiting: [
    'warn',
    '等待中 Waiting',
    '部分设置等居民办完业务后生效。',
    'Some settings wait for a resident to finish.',
  ],
  behind: [
    'warn',
    '未同步 Behind',
    '设备尚未报告当前配置（离线或正在获取）。',
    'The device has not reported the current target yet (offline or fetching).',
  ],
  failed: [
    'bad',
    '失败 Failed',
    '设备未能应用当前配置的部分或全部设置。',
    'The device could not apply some or all of the current target.',
  ],
  never: [
    'info',
    '未上报 Never reported',
    '设备还没有报告过配置。',
    'The device has not reported a configuration yet.',
  ],
};
const OUTCOME = {
  applied: ['ok', '已应用 applied'],
  waiting: ['warn', '等待 waiting'],
  partial: ['bad', '部分失败 partial'],
  refused: ['bad', '已拒绝 refused'],
};
const WAITING_FOR = { payment: '缴费 payment', booking: '预约 booking', print: '打印 print' };

function reportBlock(cfg, timeZone) {
  const last = cfg.reports[0];
  if (!last) return null;
  const r = last.report;
  const [kind, words] = OUTCOME[r.outcome] ?? ['info', r.outcome];
  const label = (key) => {
    const s = cfg.settings.find((x) => x.key === key);
    return s ? `${s.label.zh} ${s.label.en}` : key;
  };
  return el(
    'div',
    { id: 'config-report' },
    el('h3', {}, ...bi('最近上报', 'Last report')),
    el(
      'dl',
      { class: 'details' },
      el('dt', {}, ...bi('结果', 'Outcome')),
      el('dd', {}, badge(kind, words)),
      el('dt', {}, ...bi('配置版本', 'Target version')),
      el('dd', {}, String(r.targetVersion), r.etag === cfg.target.etag ? '' : ' (旧 old)'),
      el('dt', {}, ...bi('收到时间', 'Received')),
      el('dd', {}, zoned(last.receivedAt, timeZone)),
    ),
    r.failed.length
      ? el(
          'ul',
          { class: 'failures' },
          r.failed.map((f) =>
            el('li', {}, el('strong', {}, label(f.key)), ': ', f.message, ' ', el('code', {}, f.code)),
          ),
        )
      : null,
    r.pending.length
      ? el(
          'ul',
          { class: 'pending' },
          r.pending.map((p) =>
            el(
              'li',
              {},
              el('strong', {}, label(p.key)),
              ' — 等待 waiting for ',
              WAITING_FOR[p.waitingFor] ?? p.waitingFor,
            ),
          ),
        )
      : null,
  );
}

export async function renderConfigSection(container, device, ctx) {
  const url = `/api/v1/admin/devices/${encodeURIComponent(device.id)}/config`;
  const canWrite = ctx.session.admin.role === 'admin';
  // Times are read on the clock of the device's node.
  const timeZone = (await loadZones(ctx.session)).of(device.nodeId);
  const draw = (cfg) => {
    const [kind, words, zh, en] = STATUS[cfg.status];
    container.replaceChildren(
      el(
        'p',
        { class: 'summary', id: 'config-status' },
        badge(kind, words),
        ' ',
        ...bi(zh, en),
        ' ',
        el('span', { class: 'muted' }, `v${cfg.target.version}`),
      ),
      settingsTable(
        bi('生效配置与本设备设置', 'Effective settings and this device’s overrides'),
        cfg.settings,
        {
          prefix: 'dev',
          effective: true,
          ...(canWrite
            ? {
                put: async (patch, s) => {
                  try {
                    draw(await call('PUT', url, patch));
                    ctx.flash(
                      Object.values(patch)[0] === null
                        ? `已清除本设备设置 Override cleared: ${s.label.zh} ${s.label.en}`
                        : `已保存并通知设备 Saved, device told: ${s.label.zh} ${s.label.en}`,
                    );
                  } catch (err) {
                    ctx.flashError(err);
                  }
                },
                onInvalid: (err) => ctx.flashError(err),
              }
            : {}),
        },
      ),
      ...[reportBlock(cfg, timeZone)].filter(Boolean),
    );
  };
  draw(await get(url));
}

export const configSection = {
  id: 'config',
  title: '配置 Configuration',
  render: renderConfigSection,
};
