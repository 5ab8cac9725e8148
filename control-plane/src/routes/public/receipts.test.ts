import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import { newId } from '../../../../protocol/ids.js';
import type { PaymentResponse } from '../../../../protocol/schemas/device-api.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { KioskFlow } from '../../testing/kiosk-flow.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let paid: PaymentResponse;
let link: URL;

beforeAll(async () => {
  h = await createHarness({ config: { publicUrl: 'https://linli.example.org' } });
  const { community } = await h.sunshine();
  const kiosk = new TestDevice();
  await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
  paid = await new KioskFlow(h, kiosk).pay('water', '1001000003');
  link = new URL(paid.receipt!.payload.verifyUrl);
});
afterAll(() => h.close());

const page = (path: string, accept = 'text/html,application/xhtml+xml') =>
  h.app.inject({ method: 'GET', url: path, headers: { accept } });

describe('GET /r/:id', () => {
  it('says genuine, in Chinese and English, for the real receipt link', async () => {
    expect(link.origin).toBe('https://linli.example.org');
    const res = await page(`${link.pathname}${link.search}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('data-status="valid"');
    expect(res.body).toContain('收据真实有效');
    expect(res.body).toContain('This receipt is genuine');
    expect(res.body).toContain('¥ 128.00');
    expect(res.body).toContain('阳光社区');
  });

  it('says NOT valid, with the reason, for a tampered or missing check code', async () => {
    const s = link.searchParams.get('s')!;
    const tampered = `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    for (const url of [`${link.pathname}?s=${tampered}`, link.pathname]) {
      const res = await page(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('data-status="invalid"');
      expect(res.body).toContain('收据无效');
      expect(res.body).toContain(ErrorCode.SIGNATURE_INVALID);
      expect(res.body).not.toContain('¥');
    }
    const json = await page(`${link.pathname}?s=${tampered}`, 'application/json');
    expect(json.json()).toEqual({
      valid: false,
      reason: expect.stringContaining('does not match'),
      code: ErrorCode.SIGNATURE_INVALID,
    });
  });

  it('also accepts the envelope signature prefix as the check code', async () => {
    const res = await page(`${link.pathname}?s=${paid.receipt!.sig.slice(0, 22)}`, 'application/json');
    expect(res.json()).toMatchObject({ valid: true, receipt: { id: paid.receipt!.payload.id } });
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of [newId('rcpt'), 'garbage', '<script>']) {
      const res = await page(`/r/${encodeURIComponent(id)}?s=x`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('查无此收据');
      expect(res.body).not.toContain('<script>');
    }
    const json = await page(`/r/${newId('rcpt')}`, 'application/json');
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ valid: false, code: ErrorCode.RECEIPT_NOT_FOUND });
  });
});

describe('POST receipts/verify', () => {
  it('accepts the full signed receipt', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: API.receiptVerify,
      payload: { envelope: paid.receipt },
    });
    expect(res.json()).toMatchObject({ valid: true, receipt: paid.receipt!.payload });
  });

  it('refuses a tampered one', async () => {
    const tampered = { ...paid.receipt!, payload: { ...paid.receipt!.payload, amountFen: 1 } };
    const res = await h.app.inject({
      method: 'POST',
      url: API.receiptVerify,
      payload: { envelope: tampered },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: false, code: ErrorCode.SIGNATURE_INVALID });
    for (const envelope of [
      null,
      'x',
      { payload: {}, kid: 'k', sig: 's' },
      { ...paid.receipt, kid: h.app.keys.content.kid },
    ]) {
      const r = await h.app.inject({ method: 'POST', url: API.receiptVerify, payload: { envelope } });
      expect(r.json()).toMatchObject({ valid: false });
    }
  });
});
