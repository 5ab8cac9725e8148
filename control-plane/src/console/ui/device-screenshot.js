// The device page's "last screenshot": a button, and while the page is open and visible a fresh one every
// 30 s (live thumbnail). A coded refusal (this device cannot, or this admin may not) turns live off and says
// why; a passing failure (offline, no answer in time) is shown and tried again on the next round.
import { ApiError, post } from './api.js';
import { bi, el, zoned } from './dom.js';

export const LIVE_EVERY_MS = 30_000;
/** Worth trying again by itself: the device may come back or answer next time. */
const PASSING = new Set(['LINLI_ERR_DEVICE_OFFLINE', 'LINLI_ERR_SCREENSHOT_FAILED', 'LINLI_ERR_UNAVAILABLE']);

const KIND = {
  lobby: '大堂屏画面 lobby screen',
  led: 'LED 画面 LED frame',
  kiosk: '自助终端画面 kiosk screen',
};

export function renderScreenshot(container, device, ctx, opts = {}) {
  const everyMs = opts.everyMs ?? LIVE_EVERY_MS;
  const status = el('p', { id: 'shot-status', role: 'status', 'aria-live': 'polite' });
  const images = el('div', { id: 'shot-images', class: 'shots' });
  const live = el('input', { type: 'checkbox', id: 'shot-live', checked: true });
  const take = el('button', { type: 'button', id: 'shot-take' }, ...bi('截屏', 'Take screenshot'));
  let busy = false;
  let lastAt = 0;

  const say = (kind, ...text) => {
    status.className = `shot-${kind}`;
    status.replaceChildren(...text);
  };

  async function shoot(manual) {
    if (busy) return;
    busy = true;
    take.disabled = true;
    lastAt = Date.now();
    say('busy', ...bi('正在截屏…', 'Taking a screenshot…'));
    try {
      const shot = await post(`/api/v1/admin/devices/${encodeURIComponent(device.id)}/screenshot`);
      const at = zoned(shot.capturedAt, device.timezone);
      images.replaceChildren(
        ...shot.images.map((img) =>
          el(
            'figure',
            { class: 'shot' },
            el('img', {
              src: `data:image/png;base64,${img.png}`,
              alt: `${KIND[img.kind] ?? img.kind} 截屏 screenshot ${at}`,
            }),
            el('figcaption', {}, KIND[img.kind] ?? img.kind),
          ),
        ),
        ...shot.errors.map((e) =>
          el(
            'p',
            { class: 'shot-error' },
            `${KIND[e.kind] ?? e.kind}: ${e.message} `,
            el('code', {}, e.code),
          ),
        ),
      );
      say('ok', '截于 captured at ', at);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const refusal = !PASSING.has(err.code) && err.status < 500;
      if (refusal) {
        live.checked = false;
        say(
          'bad',
          '✖ ',
          err.message,
          ' ',
          el('code', {}, err.code),
          ' ',
          ...bi('（实时缩略图已关闭）', '(live thumbnail off)'),
        );
      } else {
        say(
          'warn',
          '▲ ',
          err.message,
          ' ',
          el('code', {}, err.code),
          ...(live.checked ? [' ', ...bi('稍后自动重试', 'will try again')] : []),
        );
      }
      if (err.status === 401) ctx.flashError(err);
      if (manual && refusal) take.focus();
    } finally {
      busy = false;
      take.disabled = false;
    }
  }

  take.addEventListener('click', () => void shoot(true));
  const due = () =>
    live.checked && document.visibilityState === 'visible' && Date.now() - lastAt >= everyMs - 50;
  const timer = setInterval(() => {
    // The page was left: stop (the hash changed and the view re-rendered).
    if (!container.isConnected) return stop();
    if (due()) void shoot(false);
  }, everyMs);
  const onVisible = () => {
    if (!container.isConnected) return stop();
    if (due()) void shoot(false);
  };
  function stop() {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  }
  document.addEventListener('visibilitychange', onVisible);

  container.replaceChildren(
    el(
      'div',
      { class: 'inline' },
      take,
      el(
        'label',
        { class: 'check', for: 'shot-live' },
        live,
        ...bi('实时缩略图（每 30 秒）', 'Live thumbnail (every 30 s)'),
      ),
    ),
    status,
    images,
  );
  if (device.online && device.status === 'active') void shoot(false);
  else
    say('info', ...bi('设备离线：上线后可截屏。', 'Offline: a screenshot can be taken once it is online.'));
  return { stop, shoot };
}
