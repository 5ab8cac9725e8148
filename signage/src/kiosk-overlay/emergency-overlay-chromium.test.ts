import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';

const OVERLAY = fileURLToPath(new URL('./emergency-overlay.js', import.meta.url));
let browser: Browser;

describe.skipIf(missing('chromium', hasChromium()))('kiosk emergency overlay in Chromium', () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('reports the takeover as it goes up and the same showing again when it ends', async () => {
    const page = await browser.newPage();
    let active = true;
    const posted: Record<string, unknown>[] = [];
    await page.route('http://kiosk.test/**', async (route) => {
      const req = route.request();
      const path = new URL(req.url()).pathname;
      if (path === '/kiosk') {
        await route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><html><head></head><body><p>home</p><script src="/kiosk/emergency-overlay.js"></script></body></html>',
        });
      } else if (path === '/kiosk/emergency-overlay.js') {
        await route.fulfill({ contentType: 'text/javascript', body: await readFile(OVERLAY) });
      } else if (path === '/kiosk/api/emergency') {
        await route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify(
            active
              ? {
                  active: true,
                  notice: {
                    id: 'ntc_01JDQ0000000000000000000E2',
                    title: { zh: '暴雨红色预警' },
                    body: { zh: '请勿外出。' },
                    category: 'safety',
                  },
                  expiresAt: '2026-12-31T00:00:00Z',
                }
              : { active: false },
          ),
        });
      } else if (path === '/kiosk/api/notice-plays') {
        posted.push(JSON.parse(req.postData() ?? '{}') as Record<string, unknown>);
        await route.fulfill({ contentType: 'application/json', body: '{"ok":true}' });
      } else await route.fulfill({ status: 404, body: '' });
    });
    try {
      await page.goto('http://kiosk.test/kiosk');
      await page.locator('#linli-emergency:not([hidden])').waitFor();
      // On record while it is up, not only when it comes down.
      await expect.poll(() => posted.length).toBe(1);
      expect(posted[0]).toMatchObject({ noticeId: 'ntc_01JDQ0000000000000000000E2', emergency: true });
      expect(posted[0]!.playId).toMatch(/^[A-Za-z0-9_-]{16,40}$/);
      expect(posted[0]!.durationMs as number).toBeLessThan(500);
      // The device knows the version it put up; the page has none to send.
      expect(posted[0]).not.toHaveProperty('version');
      await page.waitForTimeout(600);
      active = false;
      await page.locator('#linli-emergency').waitFor({ state: 'hidden', timeout: 5_000 });
      await expect.poll(() => posted.length).toBe(2);
      expect(posted[1]).toMatchObject({ playId: posted[0]!.playId, noticeId: posted[0]!.noticeId });
      expect(posted[1]!.durationMs as number).toBeGreaterThanOrEqual(600);
    } finally {
      await page.close();
    }
  });
});
