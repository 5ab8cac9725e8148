import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import type { AlertView } from '../../../protocol/schemas/alerts-admin.js';
import type { DeviceHealth } from '../../../protocol/schemas/device-health.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
const kiosk = new TestDevice();
const sign = new TestDevice();

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });
const report = (
  peripherals: DeviceHealth['peripherals'],
  over: Partial<DeviceHealth> = {},
): DeviceHealth => ({
  type: 'health',
  at: new Date().toISOString(),
  runtimeVersion: '0.12.0',
  uptimeSec: 7_300,
  peripherals,
  diskFreeBytes: 1_200_000_000,
  diskTotalBytes: 16_000_000_000,
  clockSkewMs: 8_000,
  unknownPayments: 1,
  ...over,
});
const axe = async () => {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag2aaa']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
};

describe.skipIf(missing('chromium', hasChromium()))(
  'admin console: alerts and device health',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      mkdirSync('test-artifacts/console', { recursive: true });
      h = await createHarness();
      const { community, neighbour } = await h.sunshine();
      await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
      await sign.enroll(h.app, (await h.token(neighbour.id, 'led')).token, 'led');
      // Paper ran low, then out; the card reader is unplugged; the LED sign is offline; then paper is low again
      // after the roll was changed: one resolved history, several open.
      const printer = (paper: 'ok' | 'low' | 'out') => ({
        present: true,
        online: true,
        paper,
        coverOpen: false,
      });
      const rest = {
        terminal: { present: true, reachable: true },
        cardReader: { present: false, online: false },
      };
      await h.app.alerts.onHealth(kiosk.id, report({ printer: printer('low'), ...rest }));
      await h.app.alerts.onHealth(kiosk.id, report({ printer: printer('out'), ...rest }));
      await h.app.alerts.onHealth(
        sign.id,
        report(
          {
            led: { present: true, online: false, lastAckAt: new Date().toISOString(), naks: 3, timeouts: 1 },
          },
          { unknownPayments: 0, clockSkewMs: -90_000 },
        ),
      );
      base = await h.app.listen({ port: 0, host: '127.0.0.1' });
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await page.goto(`${base}/console`);
      await page.fill('#username', 'admin');
      await page.fill('#password', h.password);
      await page.click('#login-form button[type=submit]');
      await page.locator('h1', { hasText: '概览' }).waitFor();
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    it('lists unresolved alerts first with severity icon and words, acknowledges one, and keeps the resolved history', async () => {
      await page.click('nav a[href="#alerts"]');
      await page.locator('h1', { hasText: '告警' }).waitFor();
      const open = page.locator('section[aria-labelledby="alerts-open-title"] tbody tr');
      await poll(() => open.count()).toBe(3);
      const texts = await open.allTextContents();
      for (const t of texts) expect(t).toMatch(/✖ 严重 Critical|▲ 警告 Warning/);
      expect(texts.join('\n')).toContain('打印机缺纸 Paper out');
      expect(texts.join('\n')).toContain('读卡器未连接 Card reader gone');
      expect(texts.join('\n')).toContain('LED 屏离线 LED sign offline');
      const history = page.locator('section[aria-labelledby="alerts-history-title"] tbody tr');
      expect(await history.allTextContents()).toEqual([expect.stringContaining('打印纸将尽 Paper low')]);
      expect(await history.first().textContent()).toContain('自动 automatic');
      expect(await axe()).toEqual([]);
      await page.screenshot({ path: 'test-artifacts/console/alerts.png', fullPage: true });

      await page.locator('button[aria-label^="确认 Acknowledge 打印机缺纸"]').click();
      await poll(() => page.locator('#flash').textContent()).toContain('已确认 Acknowledged');
      const { alerts } = (await h.admin({ method: 'GET', url: `${API.alerts}?rule=paper-out` })).json() as {
        alerts: AlertView[];
      };
      expect(alerts[0]).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });
      // The acknowledged one moves below the open ones, with who acknowledged it and no button.
      await poll(async () => (await open.last().textContent()) ?? '').toContain('已确认 acknowledged');
      expect(await page.locator('button[aria-label^="确认 Acknowledge 打印机缺纸"]').count()).toBe(0);
      // Per node: the neighbour community holds only the LED sign's alert.
      const { neighbour } = await h.sunshine();
      await page.selectOption('#alerts-node', neighbour.id);
      await page.click('#alerts-node-form button[type=submit]');
      await poll(() => open.count()).toBe(1);
      expect(await open.first().textContent()).toContain('LED 屏离线');
    });

    it("renders the device page's health section: each peripheral with icon and words, disk, clock skew, alerts", async () => {
      // The device page (view-devices.js) renders each registered section under its title; this does the
      // same inside the console page, with the real modules and the real API (a string: nothing transforms it).
      const render = async (deviceId: string, role: string, nodeId: string) =>
        page.evaluate<string>(`(async () => {
          const { DEVICE_SECTIONS } = await import('/console/assets/device-sections.js');
          const api = await import('/console/assets/api.js');
          const section = DEVICE_SECTIONS.find((s) => s.id === 'health');
          const host = document.createElement('section');
          host.className = 'card';
          host.setAttribute('aria-labelledby', 'sec-health');
          const h2 = document.createElement('h2');
          h2.id = 'sec-health';
          h2.textContent = section.title;
          const body = document.createElement('div');
          host.append(h2, body);
          const h1 = document.createElement('h1');
          h1.textContent = '设备 Device';
          document.getElementById('view').replaceChildren(h1, host);
          const device = ${JSON.stringify({ id: deviceId, role, nodeId })};
          await section.render(body, device, { session: api.session() });
          return body.textContent;
        })()`);
      const { community, neighbour } = await h.sunshine();
      const text = await render(kiosk.id, 'kiosk', community.id);
      expect(text).toContain('✖ 缺纸 Paper out');
      expect(text).toContain('● 可用 Reachable');
      expect(text).toContain('✖ 未连接 Not connected');
      expect(text).toContain('剩余 free 1.2 GB / 16.0 GB');
      expect(text).toContain('▲ 快 8 秒 ahead');
      expect(text).toContain('1 笔 open');
      expect(text).toContain('打印机缺纸 Paper out');
      expect(await axe()).toEqual([]);
      await page.screenshot({ path: 'test-artifacts/console/device-health-kiosk.png', fullPage: true });
      const led = await render(sign.id, 'led', neighbour.id);
      expect(led).toContain('✖ 离线 Offline');
      expect(led).toContain('NAK 3 · 超时 timeouts 1');
      expect(led).toContain('✖ 慢 90 秒 behind');
      expect(led).not.toContain('Payments with unknown outcome');
      expect(await axe()).toEqual([]);
      await page.screenshot({ path: 'test-artifacts/console/device-health-led.png', fullPage: true });
    });
  },
);
