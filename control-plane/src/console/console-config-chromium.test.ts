import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import type { CreateAdminResponse, DeviceView, NodeView } from '../../../protocol/schemas/admin.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { DeviceConfigView, NodeConfigView } from '../../../protocol/schemas/config-admin.js';
import type { TargetState } from '../../../protocol/schemas/fleet.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let street: NodeView;
let kiosk: TestDevice;

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });
const nodeConfig = async () =>
  (await h.admin({ method: 'GET', url: API.nodeConfig(street.id) })).json() as NodeConfigView;
const deviceConfig = async () =>
  (await h.admin({ method: 'GET', url: API.deviceConfigAdmin(kiosk.id) })).json() as DeviceConfigView;
const target = async () =>
  (
    (await kiosk.call(h.app, { method: 'GET', url: API.deviceConfig })).json() as {
      target: Signed<TargetState>;
    }
  ).target.payload;
const axe = async () => {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
};

describe.skipIf(missing('chromium', hasChromium()))(
  'admin console: device configuration',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      h = await createHarness();
      const nodes = await h.sunshine();
      street = nodes.street;
      kiosk = new TestDevice();
      await kiosk.enroll(h.app, (await h.token(nodes.community.id, 'kiosk')).token, 'kiosk');
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

    it('sets the idle timeout on a street: stored, inherited below, and in the kiosk target', async () => {
      await page.click('nav a[href="#config"]');
      await page.locator('h1', { hasText: '设备配置' }).waitFor();
      await page.selectOption('#config-node', street.id);
      await page.click('#config-node-form button[type=submit]');
      await page.locator('caption', { hasText: '幸福街道' }).waitFor();
      const row = page.locator('#node-idle-resetSec-row');
      await expect(row.textContent()).resolves.toContain('默认值');
      await expect(row.textContent()).resolves.toContain('30–3600');
      await page.fill('#node-idle-resetSec', '150');
      await page.click('#node-idle-resetSec-form button[type=submit]');
      await poll(() => page.locator('#flash').textContent()).toContain('已保存');
      await poll(() => row.textContent()).toContain('150');
      expect((await nodeConfig()).settings.find((s) => s.key === 'idle.resetSec')?.here?.value).toBe(150);
      expect((await target())['settings']['idle.resetSec']).toBe(150);
      expect(await axe()).toEqual([]);
      await page.screenshot({ path: 'test-artifacts/console/config-node.png', fullPage: true });
    });

    it('shows the coded refusal of a value out of bounds and stores nothing', async () => {
      await page.fill('#node-idle-resetSec', '5');
      // The browser would refuse it itself; the API's check is what this proves.
      await page.$eval('#node-idle-resetSec-form', (f) => f.setAttribute('novalidate', ''));
      await page.click('#node-idle-resetSec-form button[type=submit]');
      await poll(() => page.locator('#flash').textContent()).toContain('LINLI_ERR_SETTING_INVALID');
      expect((await nodeConfig()).settings.find((s) => s.key === 'idle.resetSec')?.here?.value).toBe(150);
    });

    it('edits a list and a choice setting (payment methods, language) through their own editors', async () => {
      await page.uncheck('#node-payment-methods-0');
      await page.click('#node-payment-methods-form button[type=submit]');
      await poll(
        async () => (await nodeConfig()).settings.find((s) => s.key === 'payment.methods')?.here?.value,
      ).toEqual(['qr']);
      // The table redraws after the save above: wait for the new row, so the text goes into the form shown.
      await poll(() => page.locator('#node-payment-methods-row button.secondary').isEnabled()).toBe(true);
      await page.fill('#node-receipt-headerLines', '幸福街道便民服务\n电话 12345');
      expect(await page.inputValue('#node-receipt-headerLines')).toBe('幸福街道便民服务\n电话 12345');
      await page.click('#node-receipt-headerLines-form button[type=submit]');
      await poll(
        async () => (await nodeConfig()).settings.find((s) => s.key === 'receipt.headerLines')?.here?.value,
      ).toEqual(['幸福街道便民服务', '电话 12345']);
    });

    it('the device section shows the effective value with its source, the last report with failures, and edits an override', async () => {
      const t = await target();
      const res = await kiosk.call(h.app, {
        method: 'POST',
        url: API.deviceConfigReport,
        payload: {
          targetVersion: t.version,
          etag: t.etag,
          outcome: 'partial',
          applied: ['idle.resetSec'],
          pending: [],
          failed: [
            {
              key: 'printer.profile',
              code: 'LINLI_ERR_CONFIG_APPLY_FAILED',
              message: '打印机未连接 no printer',
            },
          ],
          current: { ...t.settings, 'printer.profile': 'epson-tm-t88' },
          at: new Date().toISOString(),
        },
      });
      expect(res.statusCode).toBe(200);
      const device = (
        (await h.admin({ method: 'GET', url: API.devices })).json() as { devices: DeviceView[] }
      ).devices.find((d) => d.id === kiosk.id)!;
      // The device page is another view's; here the registered section renders on its own.
      // A string, so the test runner does not rewrite the browser's dynamic import().
      await page.evaluate(`(async (dev) => {
      const { DEVICE_SECTIONS } = await import('/console/assets/device-sections.js');
      const { flash, flashError } = await import('/console/assets/main.js');
      const { session } = await import('/console/assets/api.js');
      const section = DEVICE_SECTIONS.find((s) => s.id === 'config');
      const box = document.createElement('section');
      box.className = 'card';
      box.setAttribute('aria-labelledby', 'sec-title');
      const title = document.createElement('h2');
      title.id = 'sec-title';
      title.textContent = section.title;
      const inner = document.createElement('div');
      box.append(title, inner);
      document.getElementById('view').replaceChildren(box);
      await section.render(inner, dev, { session: session(), flash, flashError, refresh: () => {} });
    })(${JSON.stringify(device)})`);
      await page.locator('#config-status').waitFor();
      await expect(page.locator('#config-status').textContent()).resolves.toContain('失败 Failed');
      await expect(page.locator('#config-report').textContent()).resolves.toContain(
        'LINLI_ERR_CONFIG_APPLY_FAILED',
      );
      const idle = await page.locator('#dev-idle-resetSec-row').textContent();
      expect(idle).toContain('150');
      expect(idle).toContain('幸福街道');
      await expect(page.locator('#dev-printer-profile-row').textContent()).resolves.toContain('不同 differs');
      expect(await page.locator('#dev-led-brightness-row').count()).toBe(0);

      await page.selectOption('#dev-ui-defaultLanguage', { label: 'English' });
      await page.click('#dev-ui-defaultLanguage-form button[type=submit]');
      await poll(
        async () => (await deviceConfig()).settings.find((s) => s.key === 'ui.defaultLanguage')?.here?.value,
      ).toBe('en');
      await poll(() => page.locator('#dev-ui-defaultLanguage-row').textContent()).toContain('本设备');
      // A new target the device has not reported yet.
      await expect(page.locator('#config-status').textContent()).resolves.toContain('未同步 Behind');
      expect(await axe()).toEqual([]);
      await page.screenshot({ path: 'test-artifacts/console/config-device.png', fullPage: true });

      await page.click('button[aria-label="清除 Clear 默认语言 Default language"]');
      await poll(
        async () => (await deviceConfig()).settings.find((s) => s.key === 'ui.defaultLanguage')?.here,
      ).toBeNull();
    });

    it('staff see the same table read-only: no set or clear controls', async () => {
      await page.click('nav a[href="#overview"]');
      await page.locator('h1', { hasText: '概览' }).waitFor();
      await page.click('nav a[href="#config"]');
      await page.selectOption('#config-node', street.id);
      await page.click('#config-node-form button[type=submit]');
      await page.locator('caption', { hasText: '幸福街道' }).waitFor();
      // Positive control: the admin has a set button on every row.
      expect(await page.locator('button[aria-label^="设置 Set"]').count()).toBe(14);
      const created = await h.admin({
        method: 'POST',
        url: API.admins,
        payload: { username: 'cfg.staff', role: 'staff', nodeId: street.id },
      });
      const { password } = created.json() as CreateAdminResponse;
      const staffPage = await (
        await browser.newContext({ viewport: { width: 1440, height: 900 } })
      ).newPage();
      await staffPage.goto(`${base}/console`);
      await staffPage.fill('#username', 'cfg.staff');
      await staffPage.fill('#password', password);
      await staffPage.click('#login-form button[type=submit]');
      await staffPage.locator('h1', { hasText: '概览' }).waitFor();
      await staffPage.click('nav a[href="#config"]');
      await staffPage.locator('caption', { hasText: '幸福街道' }).waitFor();
      await expect(staffPage.locator('#node-idle-resetSec-row').textContent()).resolves.toContain('150');
      expect(await staffPage.locator('button[aria-label^="设置 Set"]').count()).toBe(0);
      await expect(staffPage.locator('main').textContent()).resolves.toContain('只能查看');
      await staffPage.close();
    });
  },
);
