/**
 * What the runtime runs inside the screen's page over DevTools (issue 12 commands): the identify overlay and
 * the page's own marks (`body[data-screen]`, `body[data-busy]`) that guard a kiosk screenshot.
 */

/** What the identify overlay says: which device this is, in both languages. */
export function identifyLabel(ctx: {
  identity: { deviceId: string; file: { name?: string; node: { name: string } } };
}): string {
  const { name, node } = ctx.identity.file;
  return ['本机 This device', ...(name ? [name] : []), node.name, ctx.identity.deviceId].join('\n');
}

/** What a page says about itself on <body> (the kiosk UI: router.js and app.js set them). */
export interface PageMarks {
  screen?: string;
  busy?: string;
}

export const MARKS_SCRIPT = '({ screen: document.body?.dataset.screen, busy: document.body?.dataset.busy })';

/** The page-side script of the identify overlay (large, high-contrast, removed after `ms`). */
export function identifyScript(ms: number, text: string): string {
  const style =
    'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;' +
    'background:#ffd500;color:#000;font:700 4rem/1.3 sans-serif;text-align:center;padding:2rem;overflow-wrap:anywhere;' +
    'border:1.5rem solid #000;box-sizing:border-box;white-space:pre-line';
  return `(() => {
    document.getElementById('linli-identify')?.remove();
    const el = document.createElement('div');
    el.id = 'linli-identify';
    el.setAttribute('role', 'status');
    el.textContent = ${JSON.stringify(text)};
    el.style.cssText = ${JSON.stringify(style)};
    document.body.append(el);
    setTimeout(() => el.remove(), ${Math.round(ms)});
  })()`;
}
