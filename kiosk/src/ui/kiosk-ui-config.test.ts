/**
 * Remote configuration reaches the kiosk page (issue 12): a target signed by the control-plane double's
 * fleet key changes the idle timeout and the default language; the open page picks both up from the
 * `settings` event (no reload), goes home after the new timeout and greets the next resident in the new
 * language; a portrait mounting turns the page. axe and sizes on the turned page; screenshots in
 * test-artifacts/kiosk-ui/.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScreen } from '../../../tests/helpers/kiosk-ui-checks.js';
import { PORTRAIT, TouchPage } from '../../../tests/helpers/kiosk-ui-world.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import type { DeviceRuntime } from '../runtime.js';
import { ControlPlaneDouble } from '../testing/control-plane-double.js';
import { startRuntime } from '../testing/start-runtime.js';

describe.skipIf(missing('chromium', hasChromium()))(
  'kiosk page: remote settings',
  { timeout: 120_000 },
  () => {
    const cp = new ControlPlaneDouble();
    let browser: Browser;
    let runtime: DeviceRuntime;
    let kiosk: string;
    let deviceId: string;

    beforeAll(async () => {
      await cp.start();
      const dev = await startRuntime(cp, 'kiosk');
      runtime = dev.runtime;
      kiosk = dev.url;
      deviceId = dev.info.deviceId;
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await runtime?.stop();
      await cp.stop();
    });

    it('picks up a new idle timeout and default language live, and turns for a portrait mounting', async () => {
      const ctx = await browser.newContext({ viewport: PORTRAIT, hasTouch: true });
      const page = await ctx.newPage();
      await page.clock.install();
      await page.goto(`${kiosk}/kiosk`);
      const p = new TouchPage(page);
      try {
        await page.waitForSelector('body[data-screen="home"] .home-card');
        expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
        // Control: with the default 90 s, 35 s without a touch leave the resident where they are.
        await p.tap('[data-testid="go-notices"]');
        await p.screen('notices');
        await page.clock.fastForward(35_000);
        expect(await page.getAttribute('body', 'data-screen')).toBe('notices');

        cp.config.set(deviceId, { 'idle.resetSec': 30, 'ui.defaultLanguage': 'en', 'audio.volume': 20 });
        await expect.poll(() => cp.config.lastReport(deviceId)?.outcome, { timeout: 10_000 }).toBe('applied');
        await page.waitForSelector('html[data-idle-reset-sec="30"]');
        // The voice prompts' <audio> (the page's own module instance) plays at the new volume.
        expect(
          await page.evaluate(`import('/kiosk/voice.js').then((m) => m.voiceAudio().volume)`),
        ).toBeCloseTo(0.2);
        // The resident in front of the screen keeps their language; the next one gets the new default.
        expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
        await p.tap('[data-testid="back"]');
        await p.tap('[data-testid="go-notices"]');
        await page.clock.fastForward(31_000);
        await p.screen('home');
        expect(await page.getAttribute('html', 'lang')).toBe('en');

        // A panel mounted portrait: the page turns itself (90° clockwise) and stays usable.
        cp.config.set(deviceId, {
          'idle.resetSec': 30,
          'ui.defaultLanguage': 'en',
          'screen.orientation': 'portrait',
        });
        await page.waitForSelector('html[data-orientation="portrait"]');
        // A string: this file is type-checked without the DOM library.
        const box = (await page.evaluate(`(() => {
        const r = document.body.getBoundingClientRect();
        return { w: Math.round(r.width), h: Math.round(r.height), t: getComputedStyle(document.body).transform };
      })()`)) as { w: number; h: number; t: string };
        expect(box.t).not.toBe('none');
        expect(box).toMatchObject({ w: PORTRAIT.width, h: PORTRAIT.height });
        await checkScreen(p, 'config-portrait-mount-home', true);
        await p.tap('[data-testid="go-notices"]');
        await p.screen('notices');
      } finally {
        await ctx.close();
      }
    });
  },
);
