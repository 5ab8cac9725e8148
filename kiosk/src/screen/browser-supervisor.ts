import type { Browser, Page } from 'playwright-core';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { DeviceConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { type ChromiumProcess, launchChromium } from './chromium-process.js';
import { identifyScript, MARKS_SCRIPT, type PageMarks } from './page-scripts.js';

/** What `role.health().browser` says (the health-alerts workstream reads it). */
export interface BrowserHealth {
  /** The page answered its last heartbeat. */
  alive: boolean;
  /** Restarts since the runtime started (crash, hang, lost DevTools, or asked for). */
  restarts: number;
  lastRestartAt?: string;
  /** The last touch or pointer event on the page (kiosk). */
  lastTouchAt?: string;
  /** No touch for `touchQuietMs` while the screen is on: reported, never acted on (kiosk only). */
  touchQuiet?: boolean;
  /** Stopped restarting: too many restarts in the window (see maxRestarts). */
  gaveUp?: boolean;
  mode: 'launch' | 'attach' | 'none';
}

export interface SupervisorOptions {
  /** The page to show: /kiosk or /screen. */
  path: string;
  /** Watch for touches (the kiosk; a lobby screen has no touch). */
  touch?: boolean;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  /** Missed heartbeats in a row that count as a hang. */
  missesForHang?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** At most this many restarts in `restartWindowMs`; then it stops and says so (gaveUp). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Healthy this long and the backoff starts again from its base. */
  resetAfterMs?: number;
  touchQuietMs?: number;
}

const DEFAULTS = {
  heartbeatMs: 5_000,
  heartbeatTimeoutMs: 2_000,
  missesForHang: 2,
  backoffBaseMs: 1_000,
  backoffCapMs: 60_000,
  maxRestarts: 20,
  restartWindowMs: 60 * 60_000,
  resetAfterMs: 10 * 60_000,
  touchQuietMs: 12 * 60 * 60_000,
} satisfies Omit<Required<SupervisorOptions>, 'path' | 'touch'>;

/** Installed in the page: remembers the last touch or pointer press (capture phase, never blocks it). */
const TOUCH_SCRIPT = `(() => { if (window.__linliTouch) return; window.__linliTouch = true;
  const mark = () => { window.__linliTouchAt = Date.now(); };
  for (const t of ['pointerdown', 'touchstart', 'mousedown']) addEventListener(t, mark, { capture: true, passive: true });
})()`;
const PROBE = `({ touchAt: window.__linliTouchAt ?? null, visible: document.visibilityState === 'visible', href: location.href })`;

/**
 * The screen's browser, driven and watched over the DevTools protocol on loopback. It opens the role's page,
 * sends a heartbeat (Runtime.evaluate with a timeout: a hung renderer sends no event at all) and restarts
 * the browser on a crash, a lost DevTools connection or a hang, with exponential backoff and jitter, at most
 * `maxRestarts` per window. Two modes:
 * - launch (screen.launchChromium: demo, tests): the runtime spawns a headless Chromium and kills and
 *   relaunches it itself;
 * - attach (production, screen.cdpEndpoint): linli-screen.service runs Chromium under cage; the runtime
 *   attaches, navigates it to the right page, and to restart it closes the browser (Browser.close), so cage
 *   exits and systemd starts the screen again (Restart=always); the supervisor then reattaches.
 * A browser crash never takes the runtime down: everything here only logs and retries.
 */
export class BrowserSupervisor {
  readonly #cfg: DeviceConfig['screen'];
  readonly #log: Logger;
  readonly #o: Required<Omit<SupervisorOptions, 'touch'>> & { touch: boolean };
  #url: string | undefined;
  #running = false;
  #browser: Browser | undefined;
  #page: Page | undefined;
  #proc: ChromiumProcess | undefined;
  #alive = false;
  #aliveSince = 0;
  #restarts: number[] = [];
  #restartCount = 0;
  #lastRestartAt: number | undefined;
  #attempt = 0;
  #misses = 0;
  #openedAt = 0;
  #touchAt: number | undefined;
  #visible = true;
  #gaveUp = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #restarting: Promise<void> | undefined;
  #generation = 0;

  constructor(cfg: DeviceConfig['screen'], log: Logger, opts: Partial<SupervisorOptions> = {}) {
    this.#cfg = cfg;
    this.#log = log;
    this.#o = { ...DEFAULTS, path: '/screen', ...opts, touch: opts.touch ?? false };
  }

  get mode(): BrowserHealth['mode'] {
    if (this.#cfg.launchChromium) return 'launch';
    return this.#cfg.cdpEndpoint ? 'attach' : 'none';
  }

  /** The DevTools endpoint of the browser it drives now (tests attach a second client here). */
  get endpoint(): string | undefined {
    return this.#proc?.wsEndpoint ?? this.#cfg.cdpEndpoint;
  }

  /** The launched Chromium's pid (launch mode). */
  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  /** @deprecated the old ScreenBrowser's state string; use health(). */
  get state(): string {
    return this.mode === 'launch'
      ? this.#alive
        ? 'launched'
        : 'none'
      : this.mode === 'attach'
        ? 'cdp'
        : 'none';
  }

  health(now = Date.now()): BrowserHealth {
    const touch = this.#o.touch && this.#alive;
    const quietFrom = this.#touchAt ?? this.#openedAt;
    return {
      alive: this.#alive,
      restarts: this.#restartCount,
      mode: this.mode,
      ...(this.#lastRestartAt ? { lastRestartAt: new Date(this.#lastRestartAt).toISOString() } : {}),
      ...(this.#touchAt ? { lastTouchAt: new Date(this.#touchAt).toISOString() } : {}),
      ...(touch ? { touchQuiet: this.#visible && now - quietFrom > this.#o.touchQuietMs } : {}),
      ...(this.#gaveUp ? { gaveUp: true } : {}),
    };
  }

  /** Opens the page at `<baseUrl><path>` and keeps it up (launch mode: resolves once it shows). Idempotent. */
  async start(baseUrl: string): Promise<void> {
    this.#url = `${baseUrl}${this.#o.path}`;
    if (this.#running || this.mode === 'none') return;
    this.#running = true;
    // Attached (production): never wait for the screen. linli-screen.service is ordered After= the runtime,
    // which with Type=notify means after READY=1: waiting here would hold READY back until the attempt failed.
    if (this.mode === 'attach') void this.#connect();
    else await this.#connect();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retry);
    await this.#restarting?.catch(() => undefined);
    await this.#drop(false);
  }

  /** The admin's "restart the kiosk browser" (RoleUnit.restartBrowser): at once, counted like any restart. */
  async restart(): Promise<void> {
    if (this.mode === 'none' || !this.#running) {
      throw new LinliError(
        ErrorCode.BROWSER_UNAVAILABLE,
        'this device drives no browser: set screen.cdpEndpoint (the Chromium kiosk of linli-screen.service) or screen.launchChromium',
      );
    }
    // A person asked: the bound (which stops a crash loop) starts afresh.
    this.#gaveUp = false;
    this.#restarts = [];
    this.#attempt = 0;
    await this.#fail('restart requested', 0);
  }

  /**
   * A PNG of the page. `guard` sees the page's own marks (`body[data-screen]`, `body[data-busy]`) before and
   * after the capture and throws to refuse it: the kiosk never sends a picture of a payment screen, even one
   * the resident reached while the capture ran.
   */
  async screenshot(guard?: (marks: PageMarks) => void): Promise<Buffer> {
    const page = this.#livePage();
    const check = async () => (guard ? guard((await page.evaluate(MARKS_SCRIPT)) as PageMarks) : undefined);
    await check();
    let png: Buffer;
    try {
      png = await page.screenshot({ type: 'png', timeout: 10_000 });
    } catch (err) {
      throw new LinliError(
        ErrorCode.SCREENSHOT_FAILED,
        `could not capture the screen over DevTools: ${(err as Error).message}`,
      );
    }
    await check();
    return png;
  }

  /**
   * The `identify` command: a full-screen overlay naming the device on the page for `seconds`, drawn through
   * DevTools (the page itself needs no code for it). Resolves once it shows.
   */
  async identify(seconds: number, label: string): Promise<void> {
    await this.#livePage().evaluate(identifyScript(seconds * 1000, label));
  }

  #livePage(): Page {
    const page = this.#page;
    if (!page || !this.#alive) {
      throw new LinliError(
        ErrorCode.SCREENSHOT_FAILED,
        this.mode === 'none'
          ? 'no browser to capture: set screen.cdpEndpoint to the Chromium kiosk process (--remote-debugging-port), or screen.launchChromium'
          : 'the screen browser is not up right now (it is being restarted); try again in a minute',
      );
    }
    return page;
  }

  async #connect(): Promise<void> {
    const gen = this.#generation;
    try {
      await this.#open();
      if (gen !== this.#generation || !this.#running) return;
      this.#alive = true;
      this.#aliveSince = Date.now();
      this.#misses = 0;
      this.#heartbeat = setInterval(() => void this.#beat(), this.#o.heartbeatMs);
      this.#heartbeat.unref();
      this.#log.info({ url: this.#url, mode: this.mode }, 'screen: browser showing the page');
    } catch (err) {
      await this.#drop(false);
      if (gen !== this.#generation || !this.#running) return;
      const first = this.#attempt === 0;
      const wait = this.#backoff();
      // Said once at warn; a device without a screen browser (an LED-less bench kiosk) is not a log flood.
      this.#log[first ? 'warn' : 'debug'](
        { err: (err as Error).message, retryInMs: wait, mode: this.mode, endpoint: this.endpoint },
        'screen: could not open the page in the browser; retrying',
      );
      this.#retry = setTimeout(() => void this.#connect(), wait);
      this.#retry.unref();
    }
  }

  async #open(): Promise<void> {
    const { chromium } = await import('playwright-core');
    let endpoint = this.#cfg.cdpEndpoint!;
    if (this.mode === 'launch') {
      this.#proc = await launchChromium({
        path: this.#cfg.chromiumPath,
        width: this.#cfg.width,
        height: this.#cfg.height,
      });
      endpoint = this.#proc.wsEndpoint;
      const proc = this.#proc;
      void proc.exited.then(() => {
        if (this.#proc === proc) void this.#fail('the browser process exited');
      });
    }
    const browser = await chromium.connectOverCDP(endpoint, { timeout: 10_000 });
    this.#browser = browser;
    browser.on('disconnected', () => {
      if (this.#browser === browser) void this.#fail('lost the DevTools connection');
    });
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = context.pages()[0] ?? (await context.newPage());
    this.#page = page;
    page.on('crash', () => {
      if (this.#page === page) void this.#fail('the page crashed');
    });
    // A browser launched here (demo, tests) stands for a panel of the configured size: headless Chromium's
    // window is not exactly its --window-size inside, so the page gets that size. An attached browser (the
    // screen unit's, production) keeps the size its screen gives it.
    if (this.mode === 'launch')
      await page.setViewportSize({ width: this.#cfg.width, height: this.#cfg.height });
    if (this.#o.touch) await page.addInitScript(TOUCH_SCRIPT);
    if (!page.url().startsWith(this.#url!)) await page.goto(this.#url!, { timeout: 20_000 });
    if (this.#o.touch) await page.evaluate(TOUCH_SCRIPT);
    this.#openedAt = Date.now();
  }

  async #beat(): Promise<void> {
    const page = this.#page;
    if (!page || !this.#alive) return;
    try {
      const r = (await withTimeout(page.evaluate(PROBE), this.#o.heartbeatTimeoutMs)) as {
        touchAt: number | null;
        visible: boolean;
        href: string;
      };
      this.#misses = 0;
      if (r.touchAt) this.#touchAt = r.touchAt;
      this.#visible = r.visible;
      if (Date.now() - this.#aliveSince > this.#o.resetAfterMs) this.#attempt = 0;
      if (!r.href.startsWith(this.#url!)) {
        // Someone (or a crash page) navigated away: back to the role's page.
        this.#log.warn({ href: r.href }, 'screen: the browser left the page; opening it again');
        await page.goto(this.#url!, { timeout: 20_000 }).catch(() => undefined);
      }
    } catch {
      this.#misses++;
      this.#log.warn({ misses: this.#misses }, 'screen: the page did not answer its heartbeat');
      if (this.#misses >= this.#o.missesForHang) await this.#fail('the page hangs (no heartbeat)');
    }
  }

  /** Tears down what is there and comes back after a backoff; bounded per window. */
  #fail(reason: string, delayMs?: number): Promise<void> {
    if (!this.#running) return Promise.resolve();
    if (this.#restarting) return this.#restarting;
    this.#restarting = (async () => {
      this.#alive = false;
      clearInterval(this.#heartbeat);
      clearTimeout(this.#retry);
      const now = Date.now();
      this.#restarts = this.#restarts.filter((t) => now - t < this.#o.restartWindowMs);
      if (this.#restarts.length >= this.#o.maxRestarts) {
        this.#gaveUp = true;
        this.#log.error(
          { reason, restarts: this.#restarts.length, windowMs: this.#o.restartWindowMs },
          'screen: the browser keeps failing; no more restarts from the runtime for now',
        );
        await this.#drop(true);
        return;
      }
      this.#restarts.push(now);
      this.#restartCount++;
      this.#lastRestartAt = now;
      const wait = delayMs ?? this.#backoff();
      this.#log.warn(
        { reason, restarts: this.#restartCount, inMs: wait },
        `screen: ${reason}; restarting the browser`,
      );
      await this.#drop(true);
      this.#generation++;
      await new Promise<void>((r) => {
        this.#retry = setTimeout(r, wait);
        this.#retry.unref();
      });
      if (!this.#running) return;
      await this.#connect();
    })().finally(() => {
      this.#restarting = undefined;
    });
    return this.#restarting;
  }

  /** Drops the browser: kills a launched one; closes an attached one only when it must restart. */
  async #drop(restart: boolean): Promise<void> {
    const browser = this.#browser;
    const proc = this.#proc;
    this.#browser = undefined;
    this.#page = undefined;
    this.#proc = undefined;
    if (proc) await proc.kill();
    if (browser && !proc && restart) {
      // Attached to the cage kiosk: closing it makes cage exit, and systemd starts the screen again.
      await withTimeout(
        browser.newBrowserCDPSession().then((s) => s.send('Browser.close')),
        3_000,
      ).catch(() => undefined);
    }
    // Over CDP close() only disconnects; the process is gone already or it belongs to linli-screen.
    await withTimeout(browser?.close() ?? Promise.resolve(), 3_000).catch(() => undefined);
  }

  #backoff(): number {
    const ceiling = Math.min(this.#o.backoffCapMs, this.#o.backoffBaseMs * 2 ** this.#attempt++);
    // Equal jitter: at least half the ceiling, so a crash loop still slows down.
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
