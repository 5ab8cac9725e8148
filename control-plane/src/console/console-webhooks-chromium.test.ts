import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import type { CreateAdminResponse, NodeView } from '../../../protocol/schemas/admin.js';
import type { WebhookDeliveryView, WebhookView } from '../../../protocol/schemas/webhooks.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { startReceiver } from '../testing/webhook-receiver.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let district: NodeView;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const shots = 'test-artifacts/console';
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });
const axe = async (p: Page = page) => {
  const r = await new AxeBuilder({ page: p })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag2aaa'])
    .analyze();
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
};

/** What a receiver following the page's summary does: HMAC-SHA256(secret, "<t>.<body>") against v1. */
function verify(secret: string, headers: IncomingHttpHeaders, body: string) {
  const parts = Object.fromEntries(
    String(headers['linli-signature'] ?? '')
      .split(',')
      .map((kv) => kv.split('=', 2) as [string, string]),
  );
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return (
    String(parts.t) === String(headers['linli-webhook-timestamp']) &&
    given.length === expected.length &&
    timingSafeEqual(given, expected)
  );
}
const hooks = async () =>
  (await h.admin({ method: 'GET', url: API.nodeWebhooks(district.id) })).json().items as WebhookView[];
const deliveryRows = () => page.locator('#webhook-deliveries tbody tr');

async function showNode(p: Page, nodeId: string) {
  await p.selectOption('#webhooks-node', nodeId);
  await p.click('#webhooks-node-form button[type=submit]');
}

describe.skipIf(missing('chromium', hasChromium()))('admin console: webhooks', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    receiver = await startReceiver([204]);
    h = await createHarness({ config: { webhooks: { allowHttpLoopback: true } } });
    district = (await h.sunshine()).district;
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/console`);
    await page.fill('#username', 'admin');
    await page.fill('#password', h.password);
    await page.click('#login-form button[type=submit]');
    await page.locator('h1', { hasText: '概览' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await receiver?.close();
  });

  it('refuses an http:// URL elsewhere than loopback with its code, and registers nothing', async () => {
    await page.click('nav a[href="#webhooks"]');
    await page.locator('h1', { hasText: 'Webhook' }).waitFor();
    await showNode(page, district.id);
    await page.locator('#webhooks-list-title', { hasText: '和平区' }).waitFor();
    expect(await page.locator('#webhooks-list-title + p').textContent()).toContain('还没有接收地址');
    await page.fill('#webhook-url', 'http://pager.example.org/linli');
    await page.click('#webhook-create button[type=submit]');
    await poll(() => page.locator('#flash').textContent()).toContain('LINLI_ERR_WEBHOOK_URL_INVALID');
    expect(await page.locator('#flash').textContent()).toContain('https://');
    expect(await page.locator('#flash').getAttribute('class')).toContain('error');
    expect(await hooks()).toEqual([]);
    expect(await page.locator('#webhook-secret').count()).toBe(0);
    expect(await axe()).toEqual([]);
    await page.screenshot({ path: `${shots}/webhooks-invalid-url.png`, fullPage: true });
  });

  it('creates an endpoint, shows its secret once, and a test event arrives signed with it and shows delivered', async () => {
    await page.fill('#webhook-url', receiver.url);
    await page.uncheck('#webhook-event-alert\\.acknowledged');
    await page.fill('#webhook-description', '区值班室 duty desk');
    await page.click('#webhook-create button[type=submit]');
    await page.locator('#webhook-secret').waitFor();
    const secret = await page.locator('#webhook-secret').inputValue();
    expect(secret).toMatch(/^lws_/);
    const box = (await page.locator('.secret-box').textContent()) ?? '';
    expect(box).toContain('只显示这一次');
    expect(box).toContain('Linli-Signature: t=<unix>,v1=<hex>');
    expect(box).toContain('HMAC-SHA256(secret, "<t>.<body>")');
    expect(box).toContain('Linli-Webhook-Id');
    const [hook] = await hooks();
    expect(hook).toMatchObject({
      url: receiver.url,
      events: ['alert.opened', 'alert.resolved'],
      description: '区值班室 duty desk',
      enabled: true,
    });
    const row = page.locator('section[aria-labelledby="webhooks-list-title"] tbody tr');
    expect(await row.count()).toBe(1);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('alert.opened, alert.resolved');
    expect(rowText).toContain('● 启用 enabled');
    expect(await page.locator('th', { hasText: '创建时间' }).textContent()).toContain('(Asia/Shanghai)');
    expect(await axe()).toEqual([]);
    await page.screenshot({ path: `${shots}/webhooks-created-secret.png`, fullPage: true });

    // Never again: not after coming back to the view, not in the page, not in the API.
    await page.click('nav a[href="#alerts"]');
    await page.locator('h1', { hasText: '告警' }).waitFor();
    await page.click('nav a[href="#webhooks"]');
    await showNode(page, district.id);
    await page.locator('#webhooks-list-title', { hasText: '和平区' }).waitFor();
    await row.first().waitFor();
    expect(await page.locator('#webhook-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    await page.click(`button[aria-label="发送测试 Send test ${receiver.url}"]`);
    await poll(async () => receiver.received.length).toBe(1);
    const got = receiver.received[0]!;
    expect(JSON.parse(got.body)).toMatchObject({ type: 'webhook.test', node: { id: district.id } });
    expect(verify(secret, got.headers, got.body)).toBe(true);
    expect(verify(`${secret}x`, got.headers, got.body)).toBe(false);
    await poll(async () => {
      await page.click('#webhook-deliveries button', { timeout: 5_000 });
      return (await deliveryRows().first().textContent()) ?? '';
    }).toContain('● 已送达 delivered');
    const delivered = (await deliveryRows().first().textContent()) ?? '';
    expect(delivered).toContain('webhook.test');
    expect(delivered).toContain('204');
    expect(await page.locator('#webhook-deliveries').textContent()).toContain('Asia/Shanghai');
    expect(await axe()).toEqual([]);
    await page.screenshot({ path: `${shots}/webhooks-delivered.png`, fullPage: true });
  });

  it('rotates the secret (shown once) and the next delivery is signed with the new one, newest first', async () => {
    const old = receiver.received[0]!;
    await page.click(`button[aria-label="轮换密钥 Rotate secret ${receiver.url}"]`);
    await page.locator('#webhook-secret').waitFor();
    const secret = await page.locator('#webhook-secret').inputValue();
    expect(secret).toMatch(/^lws_/);
    expect(verify(secret, old.headers, old.body)).toBe(false);
    await page.click(`button[aria-label="发送测试 Send test ${receiver.url}"]`);
    await poll(async () => receiver.received.length).toBe(2);
    const got = receiver.received[1]!;
    expect(verify(secret, got.headers, got.body)).toBe(true);
    // The test answer re-renders the view: the secret is gone.
    await poll(() => page.locator('#webhook-secret').count()).toBe(0);
    await poll(async () => {
      await page.click('#webhook-deliveries button', { timeout: 5_000 });
      return deliveryRows().count();
    }).toBe(2);
    const ids = (await h.admin({ method: 'GET', url: API.webhookDeliveries((await hooks())[0]!.id) })).json()
      .items as WebhookDeliveryView[];
    expect(ids[0]!.createdAt >= ids[1]!.createdAt).toBe(true);
  });

  it('disables the endpoint: the state shows, and a test is refused with its code', async () => {
    await page.click(`button[aria-label="停用 Disable ${receiver.url}"]`);
    await poll(() => page.locator('#flash').textContent()).toContain('已停用 Disabled');
    const row = page.locator('section[aria-labelledby="webhooks-list-title"] tbody tr').first();
    await poll(async () => (await row.textContent()) ?? '').toContain('✖ 停用 disabled');
    expect((await hooks())[0]!.enabled).toBe(false);
    expect(await page.locator(`button[aria-label="启用 Enable ${receiver.url}"]`).count()).toBe(1);
    await page.screenshot({ path: `${shots}/webhooks-disabled.png`, fullPage: true });
    await page.click(`button[aria-label="发送测试 Send test ${receiver.url}"]`);
    await poll(() => page.locator('#flash').textContent()).toContain('LINLI_ERR_WEBHOOK_DISABLED');
    expect(receiver.received).toHaveLength(2);
    expect(await axe()).toEqual([]);
  });

  it('deletes the endpoint after a confirm', async () => {
    const [hook] = await hooks();
    await page.click(`button[aria-label="删除 Delete ${receiver.url}"]`);
    await poll(() => page.locator('#flash').textContent()).toContain('已删除 Deleted');
    expect(await hooks()).toEqual([]);
    expect((await h.admin({ method: 'GET', url: API.webhook(hook!.id) })).statusCode).toBe(404);
    expect(await page.locator('section[aria-labelledby="webhooks-list-title"] tbody tr').count()).toBe(0);
    expect(await page.locator('#webhook-deliveries').count()).toBe(0);
  });

  it('staff see no webhooks entry, and the view itself says they are not allowed', async () => {
    // Positive control: the admin has the entry.
    expect(await page.locator('nav a[href="#webhooks"]').isVisible()).toBe(true);
    const created = await h.admin({
      method: 'POST',
      url: API.admins,
      payload: { username: 'hook.staff', role: 'staff', nodeId: district.id },
    });
    const { password } = created.json() as CreateAdminResponse;
    const staff = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await staff.goto(`${base}/console`);
    await staff.fill('#username', 'hook.staff');
    await staff.fill('#password', password);
    await staff.click('#login-form button[type=submit]');
    await staff.locator('h1', { hasText: '概览' }).waitFor();
    expect(await staff.locator('nav a[href="#alerts"]').isVisible()).toBe(true);
    expect(await staff.locator('nav a[href="#webhooks"]').isVisible()).toBe(false);
    await staff.evaluate('location.hash = "webhooks"');
    await staff.locator('#webhooks-forbidden').waitFor();
    const text = (await staff.locator('main').textContent()) ?? '';
    expect(text).toContain('只有管理员可以管理 Webhook');
    expect(text).toContain('LINLI_ERR_FORBIDDEN');
    expect(await staff.locator('#webhook-create').count()).toBe(0);
    expect(await axe(staff)).toEqual([]);
    await staff.screenshot({ path: `${shots}/webhooks-staff.png`, fullPage: true });
    await staff.close();
  });
});
