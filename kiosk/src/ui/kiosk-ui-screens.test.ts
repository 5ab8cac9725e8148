/**
 * Every screen of the kiosk touch UI in Chromium at 1080×1920 and 1920×1080 (issue #6): axe (WCAG 2 A, AA,
 * AAA) with 0 violations, targets ≥ 60 px and text ≥ 24 px over the rendered DOM, screenshots kept in
 * test-artifacts/kiosk-ui/; and the idle reset (warning, more time, never during a payment) and the attract
 * loop, with the page's clock driven by the test (the device config sets the smallest idle times it allows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScreen as check, checkedScreens } from '../../../tests/helpers/kiosk-ui-checks.js';
import {
  DEMO_CARD,
  type KioskUiWorld,
  kioskCall,
  PORTRAIT,
  startKioskUiWorld,
  TouchPage,
} from '../../../tests/helpers/kiosk-ui-world.js';
import { hasChromium, hasCommand, missing } from '../../../tests/helpers/requirements.js';

let world: KioskUiWorld;
const IDLE = { resetSec: 30, warningSec: 5 };
// Long enough that no other test sits on home that long; the attract test drives the page's clock.
const ATTRACT_SEC = 60;

describe.skipIf(missing('chromium', hasChromium()))(
  'kiosk touch UI: every screen, idle reset',
  { timeout: 180_000 },
  () => {
    beforeAll(async () => {
      world = await startKioskUiWorld({
        idle: IDLE,
        attract: { afterSec: ATTRACT_SEC },
        // A terminal that never answers keeps "pay at the terminal" on screen long enough to check it.
        payment: {
          terminalTimeoutMs: 8_000,
          resumeIntervalMs: 300,
          statusPollMs: 200,
          reprintPollMs: 1_000,
        },
      });
    }, 120_000);
    afterAll(async () => {
      await world?.stop();
      process.stdout.write(
        `[kiosk-ui] screens checked: ${checkedScreens.length} (${checkedScreens.join(', ')})\n`,
      );
    });

    it.skipIf(missing('espeak-ng', hasCommand('espeak-ng')))(
      'voice: every screen speaks its prompt in Mandarin; stop and repeat',
      async () => {
        const p = await TouchPage.open(world);
        try {
          // Synthesised on the device, played by <audio>.
          const spoken = p.page.waitForRequest(
            (r) => r.url().endsWith('/kiosk/api/speech') && r.method() === 'POST',
          );
          const audio = p.page.waitForRequest((r) => /\/kiosk\/api\/speech\/[0-9a-f]+\.wav$/.test(r.url()));
          await p.tap('[data-testid="go-notices"]');
          expect((await spoken).postDataJSON()).toEqual({ text: '社区公告', lang: 'zh' });
          await audio;
          // The page's own <audio> (the same module instance the page runs), watched for play and pause.
          await p.page.evaluate(`(async () => {
            const a = (await import('/kiosk/voice.js')).voiceAudio();
            window.__voice = { a, events: [] };
            for (const e of ['playing', 'pause', 'ended']) a.addEventListener(e, () => window.__voice.events.push(e));
          })()`);
          const voice = () =>
            p.page.evaluate(
              '({ paused: __voice.a.paused, at: __voice.a.currentTime, src: __voice.a.src, events: [...__voice.events] })',
            ) as Promise<{ paused: boolean; at: number; src: string; events: string[] }>;
          // A notice read aloud: long enough (title and body) to stop it half-way.
          // The clip is named by the synthesis answer for the notice's text: an <audio> element may fetch an
          // earlier clip again (range requests), so watching .wav requests could pick the wrong one.
          const long = p.page.waitForResponse(
            (r) =>
              r.url().endsWith('/kiosk/api/speech') &&
              r.request().method() === 'POST' &&
              (r.request().postDataJSON() as { text: string }).text !== '社区公告',
          );
          await p.tap('.notice');
          const { url: clipPath } = (await (await long).json()) as { url: string };
          const clip = new URL(clipPath, p.page.url()).href;
          await expect
            .poll(
              async () => {
                const v = await voice();
                // Well into the clip, so "repeat starts from the beginning" is visible in currentTime.
                return v.src === clip && !v.paused && v.at > 0.4;
              },
              { timeout: 15_000 },
            )
            .toBe(true);
          await p.tap('[data-testid="voice-stop"]');
          expect((await voice()).paused).toBe(true);
          // The pause event is a task after the call: wait for it, then nothing more may happen.
          await expect.poll(async () => (await voice()).events.at(-1)).toBe('pause');
          const stopped = await voice();
          expect(stopped.events).not.toContain('ended');
          // Stopped stays stopped: the clip does not go on by itself.
          await p.page.waitForTimeout(300);
          expect((await voice()).at).toBe(stopped.at);
          expect((await voice()).events).toEqual(stopped.events);
          // Repeat: the same clip plays again, from the start.
          await p.tap('[data-testid="voice-repeat"]');
          await expect.poll(async () => (await voice()).events.length).toBeGreaterThan(stopped.events.length);
          const again = await voice();
          expect(again.events.slice(stopped.events.length)[0]).toBe('playing');
          expect(again.src).toBe(clip);
          expect(again.at).toBeLessThan(stopped.at);
          // Voice off: the stop/repeat bar goes away and nothing more is synthesised.
          await p.tap('[data-testid="voice"]');
          await p.page.waitForSelector('[data-testid="voice-stop"]', { state: 'detached' });
          expect((await voice()).paused).toBe(true);
          let asked = 0;
          p.page.on('request', (r) => {
            if (r.url().endsWith('/kiosk/api/speech')) asked++;
          });
          await p.tap('[data-testid="back"]');
          await p.screen('notices');
          await p.page.waitForTimeout(300);
          expect(asked).toBe(0);
        } finally {
          await p.close();
        }
      },
    );

    it("the header clock is in the community's zone (Asia/Shanghai), not the machine's (UTC)", async () => {
      // 17:30 UTC on Monday 7 December is already 01:30 on Tuesday 8 December in Shanghai.
      const ctx = await world.browser.newContext({ viewport: PORTRAIT, hasTouch: true, timezoneId: 'UTC' });
      const page = await ctx.newPage();
      try {
        // Time flows from 17:30:00Z (the header shows minutes; the test takes seconds).
        await page.clock.install({ time: new Date('2026-12-07T17:30:00Z') });
        await page.goto(`${world.kiosk}/kiosk`);
        await page.waitForSelector('.home-card');
        // The page's own zone really is UTC here (what the old clock used).
        expect(await page.evaluate('[new Date().getHours(), new Date().getMinutes()]')).toEqual([17, 30]);
        await expect.poll(() => page.textContent('#clock')).toBe('12月8日星期二 01:30');
        await page.locator('[data-testid="lang"]').tap();
        await expect.poll(() => page.textContent('#clock')).toBe('Tuesday 8 December 01:30');
      } finally {
        await ctx.close();
      }
    });

    it('home, larger text, English, notices', async () => {
      const p = await TouchPage.open(world);
      try {
        await check(p, 'home');
        await p.tap('[data-testid="larger"]');
        expect(
          await p.page.evaluate('getComputedStyle(document.querySelector(".home-card-hint")).fontSize'),
        ).toBe('48px');
        await check(p, 'home-larger');
        await p.tap('[data-testid="larger"]');
        await p.tap('[data-testid="lang"]');
        await check(p, 'home-en');
        await p.tap('[data-testid="lang"]');
        await p.tap('[data-testid="go-notices"]');
        await p.page.waitForSelector('.notice');
        await check(p, 'notices');
        await p.tap('.notice');
        await p.page.waitForSelector('.notice-body');
        expect(await p.page.textContent('.notice-body')).toContain('停水');
        await check(p, 'notice');
      } finally {
        await p.close();
      }
    });

    it('the pay screens and outcomes', async () => {
      const p = await TouchPage.open(world);
      try {
        await p.tap('[data-testid="go-pay"]');
        await check(p, 'pay-billers');
        await p.tap('[data-biller="electricity"]');
        await p.digits('2002000005');
        await check(p, 'pay-account');
        await p.tap('[data-testid="lookup"]');
        await p.screen('pay-bill');
        await check(p, 'pay-bill');
        await p.tap('[data-testid="pay-qr"]');
        await p.page.waitForSelector('.pay-status[data-status="awaiting_scan"] img.qr');
        await check(p, 'pay-qr');
        await p.tap('[data-testid="cancel-pay"]');
        await p.page.waitForSelector('.pay-status[data-status="canceled"]');
        await check(p, 'pay-canceled');
        await kioskCall(world.kiosk, '/kiosk/api/sim/terminal', { behaviour: 'decline' });
        await p.tap('[data-testid="pay-again"]');
        await p.tap('[data-testid="pay-terminal"]');
        await p.page.waitForSelector('.pay-status[data-status="declined"]');
        await check(p, 'pay-declined');
        await kioskCall(world.kiosk, '/kiosk/api/sim/terminal', { behaviour: 'approve' });
        await kioskCall(world.kiosk, '/kiosk/api/sim/printer', { paper: 'out' });
        await p.tap('[data-testid="pay-again"]');
        await p.tap('[data-testid="pay-terminal"]');
        await p.page.waitForSelector('.pay-status[data-status="paid"] [data-testid="receipt-qr"]');
        await check(p, 'pay-paid-paper-out');
        await kioskCall(world.kiosk, '/kiosk/api/sim/printer', { paper: 'ok' });
        await p.tap('[data-testid="done"]');
        await kioskCall(world.kiosk, '/kiosk/api/sim/card', { cardUid: DEMO_CARD });
        await p.page.waitForSelector('.account[data-biller="water"]');
        await check(p, 'pay-card');
        await p.tap('.account[data-biller="water"]');
        await p.tap('[data-testid="pay-terminal"]');
        await p.page.waitForSelector('.pay-status[data-status="paid"] img.receipt-preview');
        await check(p, 'pay-paid');
      } finally {
        await kioskCall(world.kiosk, '/kiosk/api/sim/terminal', { behaviour: 'approve' });
        await kioskCall(world.kiosk, '/kiosk/api/sim/printer', { paper: 'ok' });
        await p.close();
      }
    });

    it('idle: a warning with "more time", then home in Mandarin; never while a payment is open', async () => {
      const ctx = await world.browser.newContext({ viewport: PORTRAIT, hasTouch: true });
      const page = await ctx.newPage();
      await page.clock.install();
      await page.goto(`${world.kiosk}/kiosk`);
      const p = new TouchPage(page);
      try {
        await page.waitForSelector('.home-card');
        await p.tap('[data-testid="lang"]');
        await p.tap('[data-testid="go-services"]');
        await page.waitForSelector('[data-category]');
        // Just past the warning: the most real time for the checks before the reset.
        await page.clock.fastForward((IDLE.resetSec - IDLE.warningSec) * 1000 + 300);
        await page.waitForSelector('#idle-dialog:not([hidden]) [data-testid="more-time"]');
        await check(p, 'idle-warning', true, '#idle-dialog');
        await p.tap('[data-testid="more-time"]');
        await page.waitForSelector('#idle-dialog', { state: 'hidden' });
        expect(await page.getAttribute('body', 'data-screen')).toBe('services');
        await page.clock.fastForward((IDLE.resetSec - IDLE.warningSec + 1) * 1000);
        await page.waitForSelector('#idle-dialog:not([hidden])');
        await page.clock.fastForward(IDLE.warningSec * 1000);
        await p.screen('home');
        expect(await page.textContent('.home')).toContain('缴费');

        // A payment waiting for the wallet: no warning and no reset, however long.
        await p.tap('[data-testid="go-pay"]');
        await p.tap('[data-biller="water"]');
        await p.digits('1001000004');
        await p.tap('[data-testid="lookup"]');
        await p.tap('[data-testid="pay-qr"]');
        await page.waitForSelector('.pay-status[data-status="awaiting_scan"]');
        for (let i = 0; i < 4; i++) await page.clock.fastForward(IDLE.resetSec * 1000);
        await page.waitForTimeout(500);
        expect(await page.getAttribute('body', 'data-screen')).toBe('pay-status');
        expect(await page.isHidden('#idle-dialog')).toBe(true);
        // Home is guarded while it runs; cancel ends it, and the idle clock counts again.
        await p.tap('[data-testid="home"]');
        expect(await page.getAttribute('body', 'data-screen')).toBe('pay-status');
        await p.tap('[data-testid="cancel-pay"]');
        await page.waitForSelector('.pay-status[data-status="canceled"]');
        await expect
          .poll(
            async () =>
              (await kioskCall<{ canIdleReset: boolean }>(world.kiosk, '/kiosk/api/session')).canIdleReset,
          )
          .toBe(true);
        await page.waitForSelector('body[data-busy="false"][data-can-idle-reset="true"]', {
          state: 'attached',
        });
        await page.clock.fastForward((IDLE.resetSec + 1) * 1000);
        await p.screen('home');
      } finally {
        await ctx.close();
      }
    });

    it('attract loop: notices full screen after idle on home; the first touch stops it and does nothing else', async () => {
      const ctx = await world.browser.newContext({ viewport: PORTRAIT, hasTouch: true });
      const page = await ctx.newPage();
      await page.clock.install();
      await page.goto(`${world.kiosk}/kiosk`);
      const p = new TouchPage(page);
      try {
        await page.waitForSelector('.home-card');
        await page.clock.fastForward((ATTRACT_SEC + 1) * 1000);
        await page.waitForSelector('#attract:not([hidden]) .attract-title');
        expect(await page.textContent('#attract')).toContain('周三上午停水通知');
        await check(p, 'attract', true, '#attract');
        await page.tap('[data-testid="go-pay"]', { force: true });
        await page.waitForSelector('#attract', { state: 'hidden' });
        await page.waitForTimeout(300);
        expect(await page.getAttribute('body', 'data-screen')).toBe('home');
      } finally {
        await ctx.close();
      }
    });

    it('payment being checked: the blocked banner, "do not pay again", no way home until it is known', async () => {
      const p = await TouchPage.open(world);
      try {
        await p.tap('[data-testid="go-pay"]');
        await p.tap('[data-biller="property"]');
        await p.digits('4004000001');
        await p.tap('[data-testid="lookup"]');
        await p.screen('pay-bill');
        // The terminal never answers ("pay at the terminal" stays on screen until the kiosk gives up on it) and
        // the control plane goes away, so nobody can tell whether money moved (the last test of this file:
        // the control plane stays down).
        await kioskCall(world.kiosk, '/kiosk/api/sim/terminal', { behaviour: 'timeout' });
        await p.tap('[data-testid="pay-terminal"]');
        await p.page.waitForSelector('.pay-status[data-status="awaiting_card"]');
        await check(p, 'pay-terminal');
        await world.procs[0]!.stop();
        await p.page.waitForSelector(
          '.pay-status[data-status="checking"], .pay-status[data-status="unresolved"]',
          { timeout: 30_000 },
        );
        await p.page.waitForSelector('#banner[data-kind="blocked"]:not([hidden])');
        expect(await p.page.textContent('main')).toContain('请勿重复缴费');
        await check(p, 'pay-checking');
        await p.tap('[data-testid="home"]');
        expect(await p.page.getAttribute('body', 'data-screen')).toBe('pay-status');
      } finally {
        await p.close();
      }
    });
  },
);
