import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import type { BillView } from './payment/bill-desk.js';
import type { PaymentView } from './payment/payment-view.js';
import { stateLayout } from './state/state-layout.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { startRuntime } from './testing/start-runtime.js';

const cp = new ControlPlaneDouble();
beforeAll(async () => {
  await cp.start();
});
afterAll(async () => {
  await cp.stop();
});

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
type Err = { error: { code: string } };

describe('kiosk role over HTTP, with the drivers simulators', () => {
  it('looks up a verified bill, pays it once and prints a receipt with GBK text and a QR', async () => {
    const { runtime, url, stateDir } = await startRuntime(cp, 'kiosk');
    try {
      expect(await (await fetch(`${url}/kiosk`)).text()).toContain('社区自助服务');
      // Every module the touch UI imports is served (kiosk/src/ui, listed in roles/kiosk-routes.ts).
      const uiDir = fileURLToPath(new URL('./ui/', import.meta.url));
      for (const f of readdirSync(uiDir).filter((n) => /\.(js|css)$/.test(n))) {
        expect((await fetch(`${url}/kiosk/${f}`)).status).toBe(200);
      }
      const { bills } = await json<{ bills: BillView[] }>(
        post(`${url}/kiosk/api/bills`, { billerId: 'water', account: '100100000001' }),
      );
      expect(bills).toHaveLength(1);
      expect(bills[0]).toMatchObject({
        amountFen: 3850,
        amountText: '￥38.50',
        billerName: { zh: '自来水费' },
      });

      const res = await post(`${url}/kiosk/api/payments`, { billId: bills[0]!.id });
      expect(res.status).toBe(200);
      const payment = await json<PaymentView & { receipt: NonNullable<PaymentView['receipt']> }>(res);
      expect(payment).toMatchObject({ status: 'paid', step: 'closed', state: 'closed', amountFen: 3850 });
      expect(payment.receipt.printed).toBe(true);

      const server = cp.payments.payments.get(payment.paymentId!)!;
      expect(server.payment.state).toBe('closed');
      const receiptId = server.receipt!.id;
      expect(payment.receipt.previewUrl).toBe(`/kiosk/receipts/${receiptId}.png`);

      const png = await fetch(`${url}${payment.receipt.previewUrl}`);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect((await sharp(Buffer.from(await png.arrayBuffer())).metadata()).width).toBeGreaterThan(300);

      const bin = await readFile(join(stateLayout(stateDir).printer, `${receiptId}.bin`));
      expect(bin.includes(iconv.encode('38.50', 'gbk'))).toBe(true);
      expect(bin.includes(iconv.encode('自来水费', 'gbk'))).toBe(true);
      expect(bin.includes(Buffer.from([0x1d, 0x28, 0x6b]))).toBe(true);
      expect(bin.includes(Buffer.from(server.receipt!.verifyUrl, 'latin1'))).toBe(true);

      const listed = await json<{ payments: PaymentView[] }>(fetch(`${url}/kiosk/api/payments`));
      expect(listed.payments[0]?.key).toBe(payment.key);
      const one = await json<PaymentView>(fetch(`${url}/kiosk/api/payments/${payment.key}`));
      expect(one.paymentId).toBe(payment.paymentId);

      // Paying the same bill again is refused by the control plane; nothing is charged.
      const again = await json<PaymentView>(post(`${url}/kiosk/api/payments`, { billId: bills[0]!.id }));
      expect(again).toMatchObject({ status: 'failed', error: { code: ErrorCode.BILL_ALREADY_PAID } });
    } finally {
      await runtime.stop();
    }
  });

  it('answers bad input with coded errors and changes nothing', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk');
    try {
      const bad = await post(`${url}/kiosk/api/bills`, { billerId: 'cable-tv', account: '1' });
      expect(bad.status).toBe(400);
      expect((await json<Err>(bad)).error.code).toBe(ErrorCode.BAD_REQUEST);
      const malformed = await fetch(`${url}/kiosk/api/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"billId":',
      });
      expect(malformed.status).toBe(400);
      expect((await json<Err>(malformed)).error.code).toBe(ErrorCode.MALFORMED_JSON);
      const unknown = await post(`${url}/kiosk/api/payments`, { billId: 'bill_01JDQ0000000000000000000AB' });
      expect(unknown.status).toBe(404);
      expect((await json<Err>(unknown)).error.code).toBe(ErrorCode.BILL_NOT_FOUND);
      const account = await post(`${url}/kiosk/api/bills`, { billerId: 'water', account: '999999999' });
      expect((await json<Err>(account)).error.code).toBe(ErrorCode.ACCOUNT_NOT_FOUND);
      expect((await json<{ payments: unknown[] }>(fetch(`${url}/kiosk/api/payments`))).payments).toEqual([]);
    } finally {
      await runtime.stop();
    }
  });
});
