import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/helpers/processes.js';
import { CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { parseDeviceConfig } from '../config.js';
import { captureLogger } from '../testing/capture-logger.js';
import { BrowserSupervisor, type SupervisorOptions } from './browser-supervisor.js';
import { type ChromiumProcess, launchChromium } from './chromium-process.js';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><html lang="en"><title>${req.url}</title><body><h1>${req.url}</h1></body></html>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const FAST: Partial<SupervisorOptions> = {
  heartbeatMs: 300,
  // Generous: 8 test workers share 2 cores, and a slow answer is not a hang.
  heartbeatTimeoutMs: 1_500,
  missesForHang: 2,
  backoffBaseMs: 100,
  backoffCapMs: 400,
};
const slow = { timeout: 30_000, interval: 100 };
const live: BrowserSupervisor[] = [];
const procs: ChromiumProcess[] = [];
afterEach(async () => {
  for (const s of live.splice(0)) await s.stop();
  for (const p of procs.splice(0)) await p.kill();
});

function supervisor(screen: Record<string, unknown>, opts: Partial<SupervisorOptions>) {
  const { log, records } = captureLogger();
  const cfg = parseDeviceConfig({ screen: { width: 800, height: 600, ...screen } }).screen;
  const s = new BrowserSupervisor(cfg, log, { ...FAST, ...opts });
  live.push(s);
  return { s, records };
}

/** What the browser shows, through a second DevTools client (as a technician's tool would). */
async function shownUrl(endpoint: string): Promise<string | undefined> {
  const b = await chromium.connectOverCDP(endpoint, { timeout: 5_000 });
  try {
    return b.contexts()[0]?.pages()[0]?.url();
  } finally {
    await b.close();
  }
}

describe.skipIf(missing('Chromium', hasChromium()))(
  'browser supervisor (real Chromium over DevTools)',
  () => {
    it('launch mode: opens the page, and restarts a killed browser with the page open again', async () => {
      const { s, records } = supervisor({ launchChromium: true }, { path: '/kiosk', touch: true });
      await s.start(base);
      expect(s.health()).toMatchObject({ alive: true, restarts: 0, mode: 'launch', touchQuiet: false });
      expect(await shownUrl(s.endpoint!)).toBe(`${base}/kiosk`);
      const first = s.pid!;
      process.kill(first, 'SIGKILL');
      await expect.poll(() => s.health().restarts, slow).toBe(1);
      await expect.poll(() => s.health().alive, slow).toBe(true);
      expect(s.pid).not.toBe(first);
      expect(await shownUrl(s.endpoint!)).toBe(`${base}/kiosk`);
      expect(s.health().lastRestartAt).toMatch(/^\d{4}-/);
      expect(records().some((r) => /restarting the browser/.test(String(r.msg)))).toBe(true);
      expect((await s.screenshot()).subarray(1, 4).toString()).toBe('PNG');
    }, 60_000);

    it('detects a hung renderer by its missed heartbeat and restarts it', async () => {
      const { s, records } = supervisor({ launchChromium: true }, { path: '/screen' });
      await s.start(base);
      expect(s.health()).toMatchObject({ alive: true, restarts: 0 });
      const hung = s.pid!;
      const b = await chromium.connectOverCDP(s.endpoint!);
      void b
        .contexts()[0]!
        .pages()[0]!
        .evaluate('while (true) {}')
        .catch(() => undefined);
      await expect.poll(() => s.health().restarts, slow).toBe(1);
      await expect.poll(() => s.health().alive, slow).toBe(true);
      expect(s.pid).not.toBe(hung);
      expect(records().some((r) => /hangs \(no heartbeat\)/.test(String(r.msg)))).toBe(true);
      expect(await shownUrl(s.endpoint!)).toBe(`${base}/screen`);
      await b.close().catch(() => undefined);
    }, 60_000);

    it('stops restarting after maxRestarts in the window, and says so', async () => {
      const { s, records } = supervisor(
        { launchChromium: true },
        {
          path: '/screen',
          maxRestarts: 2,
          // Only the kills may count here, never a heartbeat that was merely slow on a loaded machine.
          missesForHang: 1_000,
        },
      );
      await s.start(base);
      for (let i = 1; i <= 2; i++) {
        process.kill(s.pid!, 'SIGKILL');
        await expect.poll(() => s.health().restarts, slow).toBe(i);
        await expect.poll(() => s.health().alive, slow).toBe(true);
      }
      process.kill(s.pid!, 'SIGKILL');
      await expect.poll(() => s.health().gaveUp, slow).toBe(true);
      expect(s.health()).toMatchObject({ alive: false, restarts: 2 });
      expect(records().some((r) => /keeps failing/.test(String(r.msg)))).toBe(true);
      // An admin's restart command still works, and clears it.
      await s.restart();
      await expect.poll(() => s.health().alive, slow).toBe(true);
      expect(s.health().gaveUp).toBeUndefined();
    }, 90_000);

    it('reports touch health: quiet for too long is reported (never acted on), a tap clears it', async () => {
      const { s } = supervisor({ launchChromium: true }, { path: '/kiosk', touch: true, touchQuietMs: 800 });
      await s.start(base);
      await expect.poll(() => s.health().touchQuiet, slow).toBe(true);
      expect(s.health()).toMatchObject({ alive: true, restarts: 0 });
      const b = await chromium.connectOverCDP(s.endpoint!);
      await b.contexts()[0]!.pages()[0]!.mouse.click(100, 100);
      await expect.poll(() => s.health().lastTouchAt, slow).toMatch(/^\d{4}-/);
      expect(s.health().touchQuiet).toBe(false);
      await b.close();
    }, 60_000);

    it('attach mode (production): navigates the kiosk Chromium to the page; a restart closes it and reattaches to the next', async () => {
      const port = await freePort();
      const endpoint = `http://127.0.0.1:${port}`;
      const cage = () => launchChromium({ path: CHROMIUM_PATH, width: 1024, height: 768, port });
      const kiosk = await cage();
      procs.push(kiosk);
      const { s } = supervisor({ cdpEndpoint: endpoint }, { path: '/kiosk', touch: true });
      await s.start(base);
      await expect.poll(() => s.health().alive, slow).toBe(true);
      expect(s.health()).toMatchObject({ alive: true, mode: 'attach' });
      expect(await shownUrl(endpoint)).toBe(`${base}/kiosk`);
      const png = await s.screenshot();
      expect(png.readUInt32BE(16)).toBe(1024); // the kiosk's own window, not an emulated viewport
      void s.restart();
      // The runtime closed the browser (cage would exit now, and systemd restart the screen unit).
      await kiosk.exited;
      await expect.poll(() => s.health().restarts, slow).toBe(1);
      expect(s.health().alive).toBe(false);
      // systemd starts the screen again: a fresh Chromium on about:blank; the runtime reattaches and opens the page.
      procs.push(await cage());
      await expect.poll(() => s.health().alive, slow).toBe(true);
      expect(await shownUrl(endpoint)).toBe(`${base}/kiosk`);
    }, 60_000);
  },
);
