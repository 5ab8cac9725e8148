import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { KioskFlow } from '../testing/kiosk-flow.js';
import { TestDevice } from '../testing/test-device.js';

let h: Harness;
let receiptPath: string;

beforeAll(async () => {
  h = await createHarness();
  const { community } = await h.sunshine();
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  const paid = await new KioskFlow(h, kiosk).pay('water', '1001000002');
  const link = new URL(paid.receipt!.payload.verifyUrl);
  receiptPath = `${link.pathname}${link.search}`;
});
afterAll(() => h?.close());

const get = (url: string, accept = 'text/html') => h.app.inject({ method: 'GET', url, headers: { accept } });
const csp = (r: { headers: Record<string, unknown> }) => String(r.headers['content-security-policy'] ?? '');

function expectBaseline(r: { headers: Record<string, unknown> }) {
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['x-frame-options']).toBe('DENY');
  expect(csp(r)).toMatch(/frame-ancestors 'none'/);
  expect(csp(r)).toMatch(/default-src 'none'/);
  // Plain-HTTP LAN: nothing that would make a browser refuse http://.
  expect(r.headers['strict-transport-security']).toBeUndefined();
  expect(csp(r)).not.toMatch(/upgrade-insecure-requests/);
  expect(csp(r)).not.toMatch(/unsafe-eval|unsafe-inline/);
}

describe('security headers per surface (inject)', () => {
  it.each([
    ['JSON API', API.healthz ?? '/healthz'],
    ['an admin API error', API.nodes],
    ['a 404', '/no/such/route'],
    ['the OpenAPI document', '/docs/json'],
  ])('%s: the API policy', async (_n, url) => {
    const r = await get(url, 'application/json');
    expectBaseline(r);
  });

  it('API JSON loads nothing: default-src none without other sources', async () => {
    const r = await get(API.nodes, 'application/json');
    expect(csp(r)).toBe("default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
  });

  it('/docs: same-origin scripts and styles for swagger-ui, nothing inline, no eval', async () => {
    const r = await get('/docs/');
    expect(r.statusCode).toBe(200);
    expectBaseline(r);
    expect(csp(r)).toMatch(/script-src 'self'(;|$)/);
    // Its one inline style (the SVG logo's) by hash, nothing else inline.
    expect(csp(r)).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]{44}'(;|$)/);
  });

  it('a receipt page: only its own <style> block, by hash; no script source at all', async () => {
    const r = await get(receiptPath);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('data-status="valid"');
    expectBaseline(r);
    expect(csp(r)).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]{44}'(;|$)/);
    expect(csp(r)).not.toMatch(/script-src/);
  });

  it('an appointment page (even a not-found one) gets the page policy', async () => {
    const r = await get('/a/apt_01HZX3NOTREAL000000000000');
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expectBaseline(r);
    expect(csp(r)).toMatch(/style-src 'sha256-/);
  });

  it('the console keeps its own strict CSP and gets the other headers', async () => {
    const r = await get('/console');
    expectBaseline(r);
    expect(csp(r)).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
  });
});

/** Records CSP violations and console errors of a page. */
async function watch(page: Page): Promise<{ violations: string[]; errors: string[] }> {
  const seen = { violations: [] as string[], errors: [] as string[] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  await page.exposeFunction('__cspViolation', (v: string) => seen.violations.push(v));
  // A string: this file is compiled without the DOM library.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample));`,
  });
  return seen;
}

describe.skipIf(missing('chromium', hasChromium()))('pages still work under their CSP in Chromium', () => {
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => browser?.close());

  it('/docs renders the API with no CSP violation', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const seen = await watch(page);
    await page.goto(`${base}/docs`);
    await expect
      .poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 20_000 })
      .toContain('Linli control plane');
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 20_000 }).toBeGreaterThan(10);
    expect(seen.violations).toEqual([]);
    expect(seen.errors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
    await page.close();
  });

  it('a receipt page renders styled with no CSP violation', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const seen = await watch(page);
    await page.goto(`${base}${receiptPath}`);
    await expect(page.locator('[data-status="valid"]').count()).resolves.toBe(1);
    // Positive control that the <style> block applied (a blocked one leaves the browser default 16px).
    const size = await page.evaluate('getComputedStyle(document.body).fontSize');
    expect(size).toBe('22px');
    expect(seen.violations).toEqual([]);
    expect(seen.errors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
    // Positive control for the watcher: an injected style is refused, and seen.
    await page.evaluate(
      "{ const s = document.createElement('style'); s.textContent = 'body { color: red }'; document.head.append(s); }",
    );
    await expect.poll(() => seen.violations.length, { timeout: 5_000 }).toBe(1);
    expect(seen.violations[0]).toMatch(/^style-src/);
    await page.close();
  });

  it('a page framed by another origin is refused (frame-ancestors)', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const seen = await watch(page);
    await page.setContent(`<iframe src="${base}${receiptPath}"></iframe>`);
    await expect
      .poll(() => seen.errors.some((e) => /frame-ancestors|X-Frame-Options|refused/i.test(e)), {
        timeout: 10_000,
      })
      .toBe(true);
    await page.close();
  });
});
