// Device page section "远程命令 Remote commands" (issue 12): a button per op the device's role runs (reboot asks
// first), the arguments the op takes, and the device's commands with their state and the device's signed
// answer. Sending needs the commands.send permission (admins); staff see the list only.
import { call, get, post } from './api.js';
import { badge, bi, el, table, timeColumn, zoned } from './dom.js';

// Mirrors protocol/schemas/commands.ts OPS_FOR_ROLE (a test checks they match).
export const OPS_FOR_ROLE = {
  kiosk: [
    'reboot',
    'restart-browser',
    'refresh-content',
    'reprint-last-receipt',
    'screenshot',
    'identify',
    'set-volume',
  ],
  lobby: ['reboot', 'restart-browser', 'refresh-content', 'screenshot', 'identify'],
  led: ['reboot', 'refresh-content', 'screenshot', 'identify', 'set-brightness'],
};

const OP_LABEL = {
  reboot: ['重启设备程序', 'Reboot runtime'],
  'restart-browser': ['重启浏览器', 'Restart browser'],
  'refresh-content': ['立即同步内容', 'Refresh content'],
  'reprint-last-receipt': ['补打上一张凭证', 'Reprint last receipt'],
  screenshot: ['截图', 'Screenshot'],
  identify: ['识别本机', 'Identify'],
  'set-volume': ['临时音量', 'Set volume'],
  'set-brightness': ['临时亮度', 'Set brightness'],
};

const STATE = {
  pending: ['info', '待发送', 'Pending'],
  sent: ['info', '已发送', 'Sent'],
  done: ['ok', '完成', 'Done'],
  failed: ['bad', '失败', 'Failed'],
  rejected: ['bad', '被拒绝', 'Rejected'],
  expired: ['warn', '已过期', 'Expired'],
};

const OPEN = new Set(['pending', 'sent']);

/** Number inputs an op needs, with their bounds (protocol COMMAND_ARGS); minutes are sent as forSec. */
const ARGS = {
  identify: [{ name: 'seconds', zh: '秒数', en: 'Seconds', min: 1, max: 120, value: 10 }],
  'set-volume': [
    { name: 'level', zh: '音量', en: 'Volume', min: 0, max: 100, value: 50 },
    { name: 'minutes', zh: '持续分钟', en: 'For minutes', min: 1, max: 1440, value: 60 },
  ],
  'set-brightness': [
    { name: 'level', zh: '亮度 (1–16)', en: 'Level', min: 1, max: 16, value: 16 },
    { name: 'minutes', zh: '持续分钟', en: 'For minutes', min: 1, max: 1440, value: 60 },
  ],
};

export const commandsSection = {
  id: 'commands',
  title: '远程命令 Remote commands',
  render: renderCommands,
};

const label = (op) => bi(...(OP_LABEL[op] ?? [op]));

function stateBadge(state) {
  const [kind, zh, en] = STATE[state] ?? ['info', state, ''];
  return badge(kind, `${zh} ${en}`);
}

function resultCell(c) {
  const r = c.result;
  if (!r) return OPEN.has(c.state) ? '—' : bi('设备未回复', 'no answer from the device');
  const parts = [];
  if (r.code) parts.push(el('code', {}, r.code), ' ');
  if (r.message) parts.push(r.message, ' ');
  const detail = Object.entries(r.detail ?? {}).map(([k, v]) => `${k}=${v}`);
  if (detail.length) parts.push(el('span', { class: 'muted' }, detail.join(', ')));
  return parts.length ? el('span', {}, parts) : bi('成功', 'OK');
}

function argsOf(op, form) {
  const spec = ARGS[op];
  if (!spec) return undefined;
  const v = (name) => Number(form.querySelector(`[name="${op}-${name}"]`).value);
  if (op === 'identify') return { seconds: v('seconds') };
  return { level: v('level'), forSec: v('minutes') * 60 };
}

export async function renderCommands(container, device, ctx) {
  const tz = ctx.timeZone ?? ctx.session?.node?.timezone ?? 'Asia/Shanghai';
  const canSend = ctx.session?.admin?.role === 'admin' && device.status === 'active';
  const list = el('div', { class: 'commands-list', 'aria-live': 'polite' });
  let timer;

  async function load() {
    clearTimeout(timer);
    if (!container.isConnected && timer !== undefined) return;
    const { commands } = await get(
      `/api/v1/admin/devices/${encodeURIComponent(device.id)}/commands?limit=20`,
    );
    const issued = timeColumn(
      '发出 Issued',
      commands.map((c) => ({ iso: c.issuedAt, timeZone: tz })),
      tz,
    );
    const finished = timeColumn(
      '完成或过期 Done / expires',
      commands.map((c) => ({ iso: c.doneAt ?? c.expiresAt, timeZone: tz })),
      tz,
    );
    list.replaceChildren(
      commands.length === 0
        ? el('p', { class: 'muted' }, bi('还没有命令。', 'No commands yet.'))
        : table(
            bi('命令记录', 'Commands'),
            [
              '#',
              bi('命令', 'Command'),
              bi('状态', 'State'),
              bi('结果', 'Result'),
              issued.header,
              finished.header,
              bi('操作人', 'By'),
            ],
            commands.map((c, i) => [
              String(c.seq),
              el('span', {}, label(c.op), Object.keys(c.args).length ? ` (${fmtArgs(c.args)})` : ''),
              stateBadge(c.state),
              resultCell(c),
              issued.cells[i],
              finished.cells[i],
              c.createdBy,
            ]),
          ),
    );
    // While any command waits for the device, look again (stops when the page moves on).
    if (commands.some((c) => OPEN.has(c.state)) && container.isConnected)
      timer = setTimeout(() => void load().catch(() => {}), 3000);
  }

  async function send(op, form) {
    if (
      op === 'reboot' &&
      !window.confirm(`重启 ${device.name} 的设备程序？Reboot the runtime of ${device.name}?`)
    )
      return;
    try {
      const body = { op };
      const args = argsOf(op, form);
      if (args) body.args = args;
      const c = await post(`/api/v1/admin/devices/${encodeURIComponent(device.id)}/commands`, body);
      ctx.flash?.(
        c.state === 'sent'
          ? `已发送 Sent: ${OP_LABEL[op]?.[0] ?? op}`
          : `设备离线，上线后发送 Device offline: sent when it connects (until ${zoned(c.expiresAt, tz)})`,
      );
      await load();
    } catch (err) {
      ctx.flashError?.(err);
    }
  }

  const ops = OPS_FOR_ROLE[device.role] ?? [];
  const controls = canSend
    ? el(
        'div',
        { class: 'command-ops' },
        ops.map((op) => {
          const form = el('form', {
            class: 'command-op',
            'data-op': op,
            onsubmit: (ev) => {
              ev.preventDefault();
              void send(op, form);
            },
          });
          for (const a of ARGS[op] ?? []) {
            const id = `cmd-${device.id}-${op}-${a.name}`;
            form.append(
              el('label', { for: id }, bi(a.zh, a.en)),
              el('input', {
                id,
                name: `${op}-${a.name}`,
                type: 'number',
                min: a.min,
                max: a.max,
                value: a.value,
                required: true,
              }),
            );
          }
          form.append(
            el('button', { type: 'submit', class: op === 'reboot' ? 'danger' : undefined }, label(op)),
          );
          return form;
        }),
      )
    : el('p', { class: 'muted' }, bi('只有管理员可以发送命令。', 'Only admins can send commands.'));

  container.replaceChildren(
    el(
      'p',
      { class: 'muted' },
      bi(
        '命令经签名发送；设备离线时排队，上线后送达，过期作废。',
        'Commands are signed; while the device is offline they wait, and expire if it does not come back in time.',
      ),
    ),
    controls,
    list,
  );
  try {
    await load();
  } catch (err) {
    ctx.flashError?.(err);
  }
  return { reload: load, call };
}

function fmtArgs(args) {
  return Object.entries(args)
    .map(([k, v]) => (k === 'forSec' ? `${Math.round(v / 60)} min` : `${k} ${v}`))
    .join(', ');
}
