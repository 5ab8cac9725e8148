// Proof of play of one notice: which screens showed it and when (GET …/notices/:id/plays), each screen with a
// button for what it shows now (POST …/devices/:id/screenshot, lobby screens and LED signs).
import { get, post } from './api.js';
import { bi, el, table, zoned } from './dom.js';

const ROLE = { kiosk: '自助终端 kiosk', lobby: '大堂屏 lobby', led: 'LED 屏 LED' };
const SURFACE = { lobby: '大堂屏 lobby', led: 'LED', kiosk: '自助终端 kiosk' };

const minutes = (ms) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

function screenshotButton(d, zoneOf, ctx) {
  const out = el('div', { class: 'shot', id: `shot-${d.deviceId}` });
  const button = el(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-label': `截图 Screenshot ${d.name}`,
      onclick: async () => {
        button.disabled = true;
        out.replaceChildren(el('p', { class: 'muted' }, '请求中… Asking the screen…'));
        try {
          const r = await post(`/api/v1/admin/devices/${d.deviceId}/screenshot`, {});
          out.replaceChildren(
            el('p', { class: 'muted' }, `${zoned(r.capturedAt, zoneOf(d.nodeId))}`),
            ...r.images.map((img) =>
              el('img', {
                src: `data:image/png;base64,${img.png}`,
                alt: `${d.name} 当前画面 shows now (${img.kind})`,
                class: `shot-${img.kind}`,
              }),
            ),
            ...r.errors.map((e) => el('p', {}, `${e.kind}: ${e.message} `, el('code', {}, e.code))),
          );
        } catch (err) {
          out.replaceChildren(el('p', {}, err.message, ' ', el('code', {}, err.code ?? '')));
          ctx.flashError(err);
        } finally {
          button.disabled = false;
        }
      },
    },
    ...bi('截图', 'Screenshot'),
  );
  return el('div', {}, button, out);
}

/** Renders the proof of play of `notice` into `box`. */
export async function showPlays(box, notice, zoneOf, ctx) {
  const r = await get(`/api/v1/admin/notices/${notice.id}/plays?limit=50`);
  const names = new Map(r.devices.map((d) => [d.deviceId, d]));
  box.replaceChildren(
    el(
      'h2',
      { id: 'plays-title', tabindex: '-1' },
      ...bi('播放记录', 'Proof of play'),
      `：${notice.content.title.zh}`,
    ),
    r.devices.length === 0
      ? el('p', {}, ...bi('还没有屏幕播放过这条通知。', 'No screen has shown this notice yet.'))
      : table(
          '播放过的屏幕 Screens that showed it',
          ['屏幕 Screen', '类型 Role', '次数 Showings', '共计 Total', '首次 First', '最近 Last', '画面 Now'],
          r.devices.map((d) => [
            d.name,
            ROLE[d.role] ?? d.role,
            String(d.plays),
            minutes(d.totalMs),
            zoned(d.firstAt, zoneOf(d.nodeId)),
            zoned(d.lastAt, zoneOf(d.nodeId)),
            d.role === 'kiosk' ? '—' : screenshotButton(d, zoneOf, ctx),
          ]),
        ),
    r.plays.length === 0
      ? null
      : table(
          '最近的播放（最新在前） Recent showings, newest first',
          ['屏幕 Screen', '显示方式 Surface', '开始 Started', '时长 Length', '版本 Version'],
          r.plays.map((p) => {
            const d = names.get(p.deviceId);
            return [
              d?.name ?? p.deviceId,
              `${SURFACE[p.surface] ?? p.surface}${p.emergency ? ' · 紧急 emergency' : ''}`,
              zoned(p.startedAt, zoneOf(d?.nodeId)),
              minutes(p.durationMs),
              String(p.version),
            ];
          }),
        ),
  );
  box.hidden = false;
  box.querySelector('#plays-title').focus();
}
