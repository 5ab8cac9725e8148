import type { Browser, Page } from 'playwright-core';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { DeviceConfig } from '../config.js';
import type { Logger } from '../logger.js';

/** Chromium flags for a headless screen that talks to nothing but loopback. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The browser showing /screen. In production a separate Chromium kiosk process runs it (so a browser crash
 * never takes the runtime down) and we reach it through its DevTools endpoint; for the demo and tests the
 * runtime can launch a headless Chromium itself. Either way a screenshot is a DevTools capture of the page.
 */
export class ScreenBrowser {
  readonly #cfg: DeviceConfig['screen'];
  readonly #log: Logger;
  #browser: Browser | undefined;
  #page: Page | undefined;
  #url: string | undefined;
  readonly #path: string;

  /** `path`: the page this browser shows (`/screen` on a lobby, `/kiosk` on a kiosk). */
  constructor(cfg: DeviceConfig['screen'], log: Logger, path = '/screen') {
    this.#cfg = cfg;
    this.#log = log;
    this.#path = path;
  }

  get state(): string {
    if (this.#page) return 'launched';
    return this.#cfg.cdpEndpoint ? 'cdp' : 'none';
  }

  async start(url: string): Promise<void> {
    this.#url = `${url}${this.#path}`;
    if (!this.#cfg.launchChromium || this.#browser) return;
    try {
      // playwright-core is large: it loads only when this runtime drives a browser itself.
      const { chromium } = await import('playwright-core');
      this.#browser = await chromium.launch({ executablePath: this.#cfg.chromiumPath, args: ARGS });
      this.#page = await this.#browser.newPage({
        viewport: { width: this.#cfg.width, height: this.#cfg.height },
      });
      this.#page.on('pageerror', (err) => this.#log.warn({ err: err.message }, 'screen: page error'));
      await this.#page.goto(this.#url);
      this.#log.info({ url: this.#url }, 'screen: headless Chromium showing the page');
    } catch (err) {
      this.#log.error(
        { err: (err as Error).message },
        'screen: could not launch Chromium; screenshots need screen.cdpEndpoint',
      );
      await this.stop();
    }
  }

  async stop(): Promise<void> {
    const b = this.#browser;
    this.#browser = undefined;
    this.#page = undefined;
    await b?.close().catch(() => undefined);
  }

  /** The `restart-browser` command: a browser this runtime launched is closed and launched again. */
  async restart(): Promise<void> {
    if (!this.#cfg.launchChromium) {
      throw new LinliError(
        ErrorCode.COMMAND_FAILED,
        'this runtime does not run the browser itself (screen.launchChromium is off); restart linli-screen.service',
      );
    }
    const url = this.#url;
    await this.stop();
    if (url) await this.start(url.slice(0, -this.#path.length));
    if (!this.#page)
      throw new LinliError(ErrorCode.COMMAND_FAILED, 'the browser did not come back; see the log');
  }

  /**
   * The `identify` command: a full-screen overlay naming the device on the page for `seconds`, drawn through
   * DevTools (the page itself needs no code for it). Resolves once it shows.
   */
  async identify(seconds: number, label: string): Promise<void> {
    await this.#withPage(async (page) => {
      // A script string: it runs in the page, which this Node code's types do not describe.
      await page.evaluate(identifyScript(seconds * 1000, label));
    });
  }

  /**
   * A PNG of the page. `guard` sees the page's own marks (`body[data-screen]`, `body[data-busy]`) before and
   * after the capture and throws to refuse it: the kiosk never sends a picture of a payment screen, even one
   * the resident reached while the capture ran.
   */
  async screenshot(guard?: (marks: PageMarks) => void): Promise<Buffer> {
    return this.#withPage(async (page) => {
      const marks = async () => (guard ? guard(await page.evaluate(MARKS_SCRIPT)) : undefined);
      await marks();
      const png = await page.screenshot({ type: 'png' });
      await marks();
      return png;
    });
  }

  /** Runs `fn` on the page: the one launched here, or the kiosk browser's over its DevTools endpoint. */
  async #withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    if (this.#page) return fn(this.#page);
    if (!this.#cfg.cdpEndpoint) {
      throw new LinliError(
        ErrorCode.SCREENSHOT_FAILED,
        'no browser to capture: set screen.cdpEndpoint to the Chromium kiosk process (--remote-debugging-port), or screen.launchChromium',
      );
    }
    let browser: Browser | undefined;
    try {
      const { chromium } = await import('playwright-core');
      browser = await chromium.connectOverCDP(this.#cfg.cdpEndpoint, { timeout: 10_000 });
      const pages = browser.contexts().flatMap((c) => c.pages());
      const page = pages.find((p) => p.url().includes(this.#path)) ?? pages[0];
      if (!page) throw new Error('the browser has no page open');
      return await fn(page);
    } catch (err) {
      throw new LinliError(
        ErrorCode.SCREENSHOT_FAILED,
        `could not reach the screen over DevTools: ${(err as Error).message}`,
      );
    } finally {
      // Connected over CDP, close() only disconnects: the kiosk browser keeps running.
      await browser?.close().catch(() => undefined);
    }
  }
}

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

const MARKS_SCRIPT = '({ screen: document.body?.dataset.screen, busy: document.body?.dataset.busy })';

/** The page-side script of the identify overlay (large, high-contrast, removed after `ms`). */
function identifyScript(ms: number, text: string): string {
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
