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

  constructor(cfg: DeviceConfig['screen'], log: Logger) {
    this.#cfg = cfg;
    this.#log = log;
  }

  get state(): string {
    if (this.#page) return 'launched';
    return this.#cfg.cdpEndpoint ? 'cdp' : 'none';
  }

  async start(url: string): Promise<void> {
    this.#url = `${url}/screen`;
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
      this.#log.info({ url: this.#url }, 'screen: headless Chromium showing the lobby page');
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

  async screenshot(): Promise<Buffer> {
    if (this.#page) return this.#page.screenshot({ type: 'png' });
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
      const page = pages.find((p) => p.url().includes('/screen')) ?? pages[0];
      if (!page) throw new Error('the browser has no page open');
      return await page.screenshot({ type: 'png' });
    } catch (err) {
      throw new LinliError(
        ErrorCode.SCREENSHOT_FAILED,
        `could not capture the screen over DevTools: ${(err as Error).message}`,
      );
    } finally {
      // Connected over CDP, close() only disconnects: the kiosk browser keeps running.
      await browser?.close().catch(() => undefined);
    }
  }
}
