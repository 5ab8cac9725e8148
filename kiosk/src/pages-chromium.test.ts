import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../tests/helpers/requirements.js';
import { ControlPlaneDouble } from './test-support/control-plane-double.js';
import { startRuntime } from './test-support/start-runtime.js';

const cp = new ControlPlaneDouble();
let browser: Browser;

// The lobby screen's Chromium tests live in lobby-chromium.test.ts.
describe.skipIf(missing('chromium', hasChromium()))('device pages in Chromium', () => {
  beforeAll(async () => {
    await cp.start();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await cp.stop();
  });

  it('kiosk page: pick a biller, look up, pay, see the result and the printed receipt', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk');
    const page = await browser.newPage({ viewport: { width: 1280, height: 1024 } });
    try {
      await page.goto(`${url}/kiosk`);
      await page.click('[data-testid="go-pay"]');
      await page.click('button[data-biller="electricity"]');
      for (const d of '200200000001') await page.click(`.numpad .key[data-key="${d}"]`);
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
