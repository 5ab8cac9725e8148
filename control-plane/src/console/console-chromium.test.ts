import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { KioskFlow } from '../testing/kiosk-flow.js';
import { TestDevice } from '../testing/test-device.js';

const shots = join(process.cwd(), 'test-artifacts', 'console');
let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let paymentId: string;

/** The machine is shared: give the page time, but fail with the last value seen. */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

async function noAxeViolations(p: Page): Promise<void> {
  const r = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
    [],
  );
}

describe.skipIf(missing('chromium', hasChromium()))('admin console in Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    h = await createHarness();
    const { community } = await h.sunshine();
    const kiosk = new TestDevice();
    await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
    const flow = new KioskFlow(h, kiosk);
    const paid = await flow.pay('water', '1001000001');
    paymentId = paid.payment.payload.id;
    await flow.step(paymentId, 'close');
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    // axe needs a page from an explicit context.
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('refuses a wrong password with the coded error, then logs in', async () => {
    await page.goto(`${base}/console`);
    await page.fill('#username', 'admin');
    await page.fill('#password', 'not-the-password');
    await page.click('#login-form button[type=submit]');
    await poll(() => page.locator('#flash').textContent()).toContain('LINLI_ERR_LOGIN_FAILED');
    await noAxeViolations(page);
    await page.fill('#password', h.password);
    await page.click('#login-form button[type=submit]');
    await page.locator('h1', { hasText: '概览' }).waitFor();
  });

  it('shows the hierarchy, the devices with their health, and creates an enrollment token', async () => {
    await poll(() => page.locator('.tree').textContent()).toContain('阳光社区');
    const devices = await page.locator('table', { hasText: '设备状态' }).textContent();
    expect(devices).toMatch(/自助终端 Kiosk/);
    await page.selectOption('#token-node', { label: '邻里市 › 和平区 › 幸福街道 › 阳光社区' });
    await page.fill('#token-tags', 'Hall East');
    await page.click('#token-form button[type=submit]');
    await poll(() => page.locator('#flash').textContent()).toContain('kebab-case');
    await page.fill('#token-tags', 'hall-east, floor-1');
    await page.click('#token-form button[type=submit]');
    await expect
      .poll(() => page.locator('#token-out pre').textContent())
      .toMatch(/linli enroll --server .* --token lnt2\./);
    const shown = (await page.locator('#token-out pre').textContent()) ?? '';
    const id = /--token lnt2\.([^.]+)\./.exec(shown)?.[1] ?? '';
    expect((await h.repo.tokens.get(id))?.tags).toEqual(['hall-east', 'floor-1']);
    // The list shows it (tags, uses left), never the token string; revoke from the row.
    const row = page.locator('#token-list tr', {
      has: page.locator(`button[aria-label="吊销 Revoke ${id}"]`),
    });
    await poll(() => row.textContent()).toContain('hall-east, floor-1');
    expect(await row.textContent()).toContain('1 / 1');
    expect(await page.locator('#token-list').textContent()).not.toContain(
      shown.split(' --token ')[1]?.split(' ')[0],
    );
    await noAxeViolations(page);
    await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
    await row.locator('button').click();
    await poll(() => page.locator('#flash').textContent()).toContain('Token revoked');
    await poll(async () => (await h.repo.tokens.get(id))?.revokedAt ?? null).not.toBeNull();
    await poll(() => page.locator('#token-list').textContent()).toContain('已吊销 revoked');
  });

  it('publishes a notice that the API then lists as published', async () => {
    await page.click('nav a[href="#notices"]');
    await page.locator('h1', { hasText: '通知' }).waitFor();
    await page.fill('#n-title', '明日停水通知');
    await page.fill('#n-body', '因管道检修，明日上午九点至下午三点停水。');
    await page.check('input[name=n-target][aria-label="邻里市 › 和平区 › 幸福街道 › 阳光社区"]');
    await page.click('#notice-form button[type=submit]');
    await poll(() => page.locator('#flash').textContent()).toContain('published');
    await page.locator('td', { hasText: '明日停水通知' }).first().waitFor();
    const res = await h.admin({ method: 'GET', url: '/api/v1/admin/notices?status=published' });
    expect(
      (res.json() as { notices: { content: { title: { zh: string } } }[] }).notices.map(
        (n) => n.content.title.zh,
      ),
    ).toContain('明日停水通知');
    await noAxeViolations(page);
    await page.screenshot({ path: join(shots, 'notices.png'), fullPage: true });
  });

  it('lists the day’s payment, shows its audit trail, refunds part of it once, and reconciles', async () => {
    await page.click('nav a[href="#payments"]');
    await page.locator(`button[aria-label="详情 Details ${paymentId}"]`).click();
    await page.locator('#payment-detail table', { hasText: 'receipted' }).waitFor();
    await page.fill('#refund-amount', '10.00');
    await page.fill('#refund-reason', '多缴 overpaid');
    // A double click must refund once: the form carries one idempotency key.
    await page.locator('#refund-form button[type=submit]').dblclick();
    await poll(() => page.locator('#flash').textContent()).toContain('¥10.00');
    const p = (await h.admin({ method: 'GET', url: `/api/v1/admin/payments/${paymentId}` })).json() as {
      refundedFen: number;
      refunds: unknown[];
    };
    expect(p.refundedFen).toBe(1000);
    expect(p.refunds).toHaveLength(1);
    await noAxeViolations(page);
    await page.screenshot({ path: join(shots, 'payments.png'), fullPage: true });

    await page.click('nav a[href="#reconciliation"]');
    await page.locator('h1', { hasText: '对账' }).waitFor();
    const byBiller = await page.locator('table', { hasText: '按缴费项目' }).textContent();
    expect(byBiller).toContain('¥38.50');
    await noAxeViolations(page);
    await page.screenshot({ path: join(shots, 'reconciliation.png'), fullPage: true });
  });

  it('sends the admin back to the login when the session is gone', async () => {
    await page.evaluate('sessionStorage.clear()');
    await page.goto(`${base}/console#payments`);
    await page.reload();
    await page.locator('#login-form').waitFor();
    await poll(() => page.locator('#nav').isHidden()).toBe(true);
  });
});
