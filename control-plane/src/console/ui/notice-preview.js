// The composer's previews, drawn by the devices' own code on the control plane (notice-render/): the LED sign's
// first frame as a PNG, and the lobby page with the player's CSS and JS in a sandboxed frame.
import { call } from './api.js';
import { bi, el } from './dom.js';

const PANELS = {
  '128x32': [128, 32],
  '64x16': [64, 16],
  '192x64': [192, 64],
  '256x32': [256, 32],
};

export function previewPanel() {
  const ledImg = el('img', { id: 'p-led-img', class: 'led-preview', alt: '', hidden: true });
  const ledNote = el('p', { class: 'hint', id: 'p-led-note' });
  const frame = el('iframe', {
    id: 'p-lobby',
    title: '大堂屏预览 Lobby screen preview',
    // No allow-same-origin: the page runs the player's script but can never read the console's session.
    sandbox: 'allow-scripts',
    width: 1920,
    height: 1080,
  });
  const panel = el(
    'select',
    { id: 'p-panel' },
    Object.keys(PANELS).map((k) => el('option', { value: k }, k.replace('x', ' × '))),
  );
  const colors = el(
    'select',
    { id: 'p-colors' },
    el('option', { value: '1' }, '单色 single colour'),
    el('option', { value: '2' }, '双色 dual colour'),
  );
  const element = el(
    'section',
    { id: 'n-previews', class: 'previews', hidden: true, 'aria-labelledby': 'p-title' },
    el(
      'h3',
      { id: 'p-title' },
      ...bi('预览（与设备相同的渲染代码）', 'Preview (the devices’ own rendering code)'),
    ),
    el(
      'div',
      { class: 'inline' },
      el('label', { for: 'p-panel' }, ...bi('LED 屏尺寸', 'LED panel')),
      panel,
      el('label', { for: 'p-colors' }, ...bi('颜色', 'Colours')),
      colors,
    ),
    el('h4', {}, ...bi('LED 屏首帧', 'LED sign, first frame')),
    el('div', { class: 'led-frame' }, ledImg),
    ledNote,
    el('h4', {}, ...bi('大堂屏', 'Lobby screen')),
    el('div', { class: 'lobby-frame' }, frame),
  );
  let last;
  let lastCtx;
  let lastOnError;
  const led = async (draft) => {
    const [width, height] = PANELS[panel.value];
    const res = await call(
      'POST',
      '/api/v1/admin/notices/preview/led',
      { notice: draft, panel: { width, height, colors: Number(colors.value) } },
      { raw: true },
    );
    const old = ledImg.src;
    ledImg.src = URL.createObjectURL(await res.blob());
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
    const text = decodeURIComponent(res.headers.get('x-linli-led-text') ?? '');
    ledImg.alt = `LED 屏显示 LED shows: ${text}`;
    ledImg.hidden = false;
    const scrolls = res.headers.get('x-linli-led-scrolls') === 'true';
    ledNote.replaceChildren(
      ...bi(
        scrolls
          ? `文字宽 ${res.headers.get('x-linli-led-text-width')} 点，超过 ${width} 点宽的屏：从开头显示，停留后滚动。LED 屏只显示中文标题${draft.priority === 'emergency' ? '和正文' : ''}。`
          : `文字可完整显示，居中。LED 屏只显示中文标题${draft.priority === 'emergency' ? '和正文' : ''}。`,
        scrolls
          ? `The text is ${res.headers.get('x-linli-led-text-width')} dots wide, more than the ${width}-dot panel: it starts at its beginning, holds, then scrolls. The sign shows the Chinese title${draft.priority === 'emergency' ? ' and body' : ''} only.`
          : `The text fits and is centred. The sign shows the Chinese title${draft.priority === 'emergency' ? ' and body' : ''} only.`,
      ),
    );
  };
  const lobby = async (draft) => {
    const res = await call('POST', '/api/v1/admin/notices/preview/lobby', { notice: draft }, { raw: true });
    frame.srcdoc = await res.text();
  };
  const show = async (draft, ctx, onError) => {
    last = draft;
    lastCtx = ctx;
    lastOnError = onError;
    element.hidden = false;
    try {
      await Promise.all([led(draft), lobby(draft)]);
      // Into view: the admin asked to see it (and Chromium runs no transitions in an off-screen frame).
      if (!redrawing) element.scrollIntoView({ block: 'start' });
    } catch (err) {
      onError(err);
      ctx.flashError(err);
    }
  };
  /** Another panel size or colour redraws the last draft, where the admin is looking already. */
  let redrawing = false;
  const again = async () => {
    if (!last) return;
    redrawing = true;
    await show(last, lastCtx, lastOnError);
    redrawing = false;
  };
  panel.addEventListener('change', () => void again());
  colors.addEventListener('change', () => void again());
  return { element, show };
}
