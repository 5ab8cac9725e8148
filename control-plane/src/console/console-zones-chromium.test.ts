import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { createHarness, type Harness, TestClock } from '../testing/harness.js';
import { KioskFlow } from '../testing/kiosk-flow.js';
import { TestDevice } from '../testing/test-device.js';

/*
 * The console reads every time on the clock of the node it belongs to (阳光社区: Asia/Shanghai) and names the
 * zone, while the browser and the machine run in UTC, at an hour where the two dates differ. Also: a live
 * emergency reads as a warning, the audit trail names the kiosk, and loading the console logs no error and
 * no failed request.
 */

const shots = join(process.cwd(), 'test-artifacts', 'console');
const ZONE = 'Asia/Shanghai';
const KIOSK_NAME = '阳光社区服务大厅 自助终端 1';

/** The next 17:30 UTC: 01:30 of the next day in Shanghai, so UTC and Shanghai disagree on the date. */
function nextLateEvening(): number {
  const d = new Date();
  const at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 17, 30);
  return at > Date.now() ? at : at + 86_400_000;
}

const wall = (ms: number, timeZone: string): string => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
};

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

async function noAxeViolations(p: Page): Promise<void> {
  const r = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
    [],
  );
}

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let paymentId: string;
let kioskId: string;
const at = nextLateEvening();
/** Everything the browser reported that a user would see as a problem in the devtools console. */
const problems: string[] = [];

describe.skipIf(missing('chromium', hasChromium()))(
  'admin console: community time zone, emergency badge, audit trail names, clean console',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      const clock = new TestClock();
      clock.current = at;
      h = await createHarness({ clock });
      const { community } = await h.sunshine();
      expect(community.timezone).toBe(ZONE);
      const kiosk = new TestDevice();
      const token = (await h.token(community.id, 'kiosk')).token;
      const res = await h.app.inject({
        method: 'POST',
        url: API.enroll,
        payload: await kiosk.enrollBody(h.app, token, 'kiosk', { name: KIOSK_NAME }),
      });
      expect(res.statusCode).toBe(201);
      kiosk.id = (res.json() as { deviceId: string }).deviceId;
      kioskId = kiosk.id;
      const flow = new KioskFlow(h, kiosk);
      const paid = await flow.pay('water', '1001000001');
      paymentId = paid.payment.payload.id;
      await flow.step(paymentId, 'close');
      const emergency = await h.admin({
        method: 'POST',
        url: API.notices,
        payload: {
          targets: { nodeIds: [community.id] },
          title: { zh: '燃气泄漏，请立即撤离' },
          body: { zh: '请按工作人员指引离开大楼。' },
          priority: 'emergency',
          emergencyTtlSec: 600,
          publish: true,
        },
      });
      expect(emergency.statusCode, emergency.body).toBe(201);

      base = await h.app.listen({ port: 0, host: '127.0.0.1' });
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
        env: { ...process.env, TZ: 'UTC' },
      });
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC' });
      page = await context.newPage();
      await page.clock.setFixedTime(at + 60_000);
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning')
          problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
      });
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    it('runs in a browser whose own clock says another date (the premise of the test)', async () => {
      await page.goto(`${base}/console`);
      const browserView = await page.evaluate(() => ({
        zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        date: new Date().toDateString(),
        hours: new Date().getHours(),
      }));
      expect(browserView.zone).toBe('UTC');
      expect(browserView.hours).toBe(17);
      expect(wall(at, 'UTC').slice(0, 10)).not.toBe(wall(at, ZONE).slice(0, 10));
      // The test's own oracle, pinned: 17:30 UTC is 01:30 in Shanghai (so it cannot agree with a wrong console).
      expect(wall(at, 'UTC').slice(11)).toBe('17:30');
      expect(wall(at, ZONE).slice(11)).toBe('01:30');
    });

    it('loads the login page with no console error and no failed request', async () => {
      await page.locator('#login-form').waitFor();
      // Let the browser's own follow-up requests (the icon) happen before judging.
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
    });

    it("shows the devices' last-seen column on the community's clock, zone named", async () => {
      await page.fill('#username', 'admin');
      await page.fill('#password', h.password);
      await page.click('#login-form button[type=submit]');
      await page.locator('h1', { hasText: '概览' }).waitFor();
      const header = await page.locator('table', { hasText: '设备状态' }).locator('th').allTextContents();
      expect(header).toContain(`最后在线 Last seen (${ZONE})`);
      await page.selectOption('#token-node', { label: '邻里市 › 和平区 › 幸福街道 › 阳光社区' });
      const answer = page.waitForResponse((r) => r.url().endsWith(API.enrollmentTokens));
      await page.click('#token-form button[type=submit]');
      const newest = (await (await answer).json()) as { expiresAt: string };
      await poll(() => page.locator('#token-out').textContent()).toContain(
        `有效期至 expires ${wall(Date.parse(newest.expiresAt), ZONE)} (${ZONE})`,
      );
    });

    it("opens today's payments of the community's day, with their times and trail in its zone", async () => {
      await page.click('nav a[href="#payments"]');
      const shanghaiDay = wall(at, ZONE).slice(0, 10);
      await poll(() => page.locator('#pay-date').inputValue()).toBe(shanghaiDay);
      const list = page.locator('table', { hasText: 'Payments of the day' });
      await poll(() => list.locator('caption').textContent()).toContain(`${shanghaiDay}（${ZONE}）`);
      expect(await list.locator('th').first().textContent()).toBe(`时间 Time (${ZONE})`);
      const row = list.locator('tbody tr').first();
      expect(await row.locator('td').first().textContent()).toBe(wall(at, ZONE));
      expect(await list.textContent()).not.toContain(wall(at, 'UTC'));

      await page.locator(`button[aria-label="详情 Details ${paymentId}"]`).click();
      const trail = page.locator('#payment-detail table', { hasText: 'Audit trail' });
      await trail.waitFor();
      expect(await trail.locator('th').first().textContent()).toBe(`时间 At (${ZONE})`);
      const firstStep = trail.locator('tbody tr').first();
      expect(await firstStep.locator('td').first().textContent()).toBe(wall(at, ZONE));
      // The kiosk by name, its id still there (title and small text).
      const actor = firstStep.locator('td').nth(3);
      expect(await actor.textContent()).toContain(KIOSK_NAME);
      expect(await actor.locator('span').getAttribute('title')).toBe(kioskId);
      expect(await page.locator('#payment-detail dl').textContent()).toContain(KIOSK_NAME);
      await noAxeViolations(page);
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'payments-zone.png'), fullPage: true });
    });

    it('marks a live emergency as a warning (⚠, alert style), its end time in the zone, axe clean', async () => {
      await page.click('nav a[href="#notices"]');
      const badge = page.locator('.badge', { hasText: 'live emergency' });
      await badge.waitFor();
      const text = (await badge.textContent()) ?? '';
      expect(text.startsWith('⚠')).toBe(true);
      expect(text).not.toContain('✖');
      expect(text).toContain(`${wall(at + 600_000, ZONE)} (${ZONE})`);
      expect(await badge.getAttribute('class')).toBe('badge alert');
      // Drawn as an alert (filled), not as the red outline of an error badge.
      const style = await badge.evaluate((e) => {
        const s = (
          globalThis as unknown as {
            getComputedStyle(e: unknown): { backgroundColor: string; color: string };
          }
        ).getComputedStyle(e);
        return { bg: s.backgroundColor, color: s.color };
      });
      expect(style.bg).not.toBe('rgba(0, 0, 0, 0)');
      expect(style.color).not.toBe('rgb(143, 29, 29)');
      const header = await page
        .locator('table', { hasText: 'Notices, newest first' })
        .locator('th')
        .allTextContents();
      expect(header).toContain(`更新 Updated (${ZONE})`);
      await noAxeViolations(page);
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'notices-live-emergency.png'), fullPage: true });
    });

    it('logged no console error and no failed request on any page', async () => {
      await page.click('nav a[href="#reconciliation"]');
      await page.locator('h1', { hasText: '对账' }).waitFor();
      expect(await page.locator('#rec-date').inputValue()).toBe(wall(at, ZONE).slice(0, 10));
      await page.click('nav a[href="#services"]');
      await page.locator('h1', { hasText: '办事服务' }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
      // Positive control: the listeners do catch a request that fails.
      await page.evaluate(() => fetch('/console/assets/no-such-file.js').catch(() => undefined));
      await poll(async () => problems.join('\n')).toContain('no-such-file.js');
    });

    it('answers /favicon.ico for the pages that do not name an icon (/docs, /r/:id)', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/favicon.ico' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml');
      expect(res.body).toContain('<svg');
    });
  },
);
