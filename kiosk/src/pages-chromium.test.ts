import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealControlPlane, startRealControlPlane } from '../../tests/helpers/real-control-plane.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../tests/helpers/requirements.js';
import { startRuntime } from './testing/start-runtime.js';

let cp: RealControlPlane;
let browser: Browser;

/** Everything a page load complains about: console errors, failed requests, answers of 400 and above. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

/** Loads a device page and lets the browser finish what it asks for after load (the tab icon comes late). */
async function loadQuietly(page: Page, url: string, ready: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector(ready, { state: 'attached' });
  // The LED page reloads its preview for ever, so "network idle" never comes: a short settle instead.
  await page.waitForTimeout(1_000);
}

// The lobby screen's Chromium tests live in lobby-chromium.test.ts.
describe.skipIf(missing('chromium', hasChromium()))('device pages in Chromium', () => {
  beforeAll(async () => {
    cp = await startRealControlPlane();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await cp?.stop();
  });

  it.each([
    ['kiosk', '/kiosk', 'body[data-screen="home"] .home-card'],
    ['lobby', '/screen', '#clock'],
    ['led', '/led', 'img'],
  ] as const)('the %s page loads with no console error and no failed request', async (role, path, ready) => {
    const { runtime, url } = await startRuntime(cp, role);
    const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
    try {
      const problems = watchProblems(page);
      await loadQuietly(page, `${url}${path}`, ready);
      expect(problems).toEqual([]);
      // Positive control: the same watch does catch a request the device answers 404.
      await page.evaluate(`fetch('/no-such-file.png').catch(() => {})`);
      await expect
        .poll(() => problems.some((p) => p.includes('HTTP 404') && p.includes('/no-such-file.png')))
        .toBe(true);
    } finally {
      await page.close();
      await runtime.stop();
    }
  });

  it('kiosk page: pick a biller, look up, pay, see the result and the printed receipt', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1024 } });
    try {
      await page.goto(`${url}/kiosk`);
      await page.click('[data-testid="go-pay"]');
      await page.click('button[data-biller="electricity"]');
      for (const d of '2002000001') await page.click(`.numpad .key[data-key="${d}"]`);
      await page.click('[data-testid="lookup"]');
      await page.waitForSelector('[data-testid="pay-terminal"]');
      expect(await page.textContent('main')).toContain('￥156.30');
      await page.click('[data-testid="pay-terminal"]');
      await page.waitForSelector('.pay-status[data-status="paid"]');
      expect(await page.textContent('main')).toContain('缴费成功');
      await page.waitForFunction("document.querySelector('img.receipt-preview')?.naturalWidth > 0");
      await page.screenshot({ path: join(tmpdir(), 'linli-kiosk-page.png'), fullPage: true });
    } finally {
      await page.close();
      await runtime.stop();
    }
  });
});
