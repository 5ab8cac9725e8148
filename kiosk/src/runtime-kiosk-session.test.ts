import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { API } from '../../protocol/api.js';
import { ErrorCode } from '../../protocol/errors.js';
import { type RealControlPlane, startRealControlPlane } from '../../tests/helpers/real-control-plane.js';
import type { BillView } from './payment/bill-desk.js';
import type { SessionView } from './payment/kiosk-session.js';
import type { PaymentView } from './payment/payment-view.js';
import { startRuntime } from './testing/start-runtime.js';

let cp: RealControlPlane;
beforeAll(async () => {
  cp = await startRealControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;

describe('kiosk session, live events and cancel', () => {
  it('holds idle reset while the terminal waits, streams its prompts, and cancels at the resident’s word', async () => {
    const { runtime, url } = await startRuntime(cp, 'kiosk', {
      payment: { terminalTimeoutMs: 10_000, resumeIntervalMs: 60_000 },
    });
    const events: { type: string; message?: string; payment?: PaymentView; session?: SessionView }[] = [];
    const ws = new WebSocket(`${url.replace('http', 'ws')}/kiosk/api/events`);
    ws.on('message', (m) => events.push(JSON.parse(m.toString())));
    await new Promise((r) => ws.once('open', r));
    try {
      expect(await json<SessionView>(fetch(`${url}/kiosk/api/session`))).toMatchObject({
        busy: false,
        canIdleReset: true,
      });
      // The terminal never answers on its own: the resident must cancel.
      await post(`${url}/kiosk/api/sim/terminal`, { behaviour: 'timeout' });
      const { bills } = await json<{ bills: BillView[] }>(
        post(`${url}/kiosk/api/bills`, { billerId: 'water', account: '1001000001' }),
      );
      const view = await json<PaymentView>(
        post(`${url}/kiosk/api/payments`, { billId: bills[0]!.id, wait: false }),
      );
      expect(view).toMatchObject({ status: 'awaiting_card', cancelable: true, final: false });
      const during = await json<SessionView>(fetch(`${url}/kiosk/api/session`));
      expect(during).toMatchObject({ busy: true, canIdleReset: false, payment: { key: view.key } });
      expect(during.blocked).toBeUndefined();
      // A second payment while this one runs is refused.
      const second = await post(`${url}/kiosk/api/payments`, { billId: bills[0]!.id, wait: false });
      expect(second.status).toBe(409);
      expect((await json<{ error: { code: string } }>(second)).error.code).toBe(
        ErrorCode.PAYMENT_IN_PROGRESS,
      );

      const canceled = await json<PaymentView>(post(`${url}/kiosk/api/payments/${view.key}/cancel`, {}));
      expect(canceled).toMatchObject({ status: 'canceled', final: true });
      const server = await cp.h.admin({ method: 'GET', url: API.adminPayment(canceled.paymentId!) });
      expect((server.json() as { state: string }).state).toBe('canceled');
      const after = await json<SessionView>(fetch(`${url}/kiosk/api/session`));
      expect(after).toMatchObject({ busy: false, canIdleReset: true });
      expect(events.some((e) => e.type === 'prompt' && e.message?.includes('Insert or tap card'))).toBe(true);
      expect(events.some((e) => e.type === 'payment' && e.payment?.status === 'canceled')).toBe(true);
      expect(events[0]!.type).toBe('session');
      // The page learns it may idle-reset again from the events alone, without asking.
      await expect
        .poll(() => events.filter((e) => e.type === 'session').at(-1)?.session?.canIdleReset, {
          timeout: 5_000,
        })
        .toBe(true);

      const late = await post(`${url}/kiosk/api/payments/${view.key}/cancel`, {});
      expect((await json<PaymentView>(late)).status).toBe('canceled');
      const none = await post(`${url}/kiosk/api/payments/idk_nope/cancel`, {});
      expect((await json<{ error: { code: string } }>(none)).error.code).toBe(ErrorCode.PAYMENT_NOT_FOUND);
    } finally {
      ws.close();
      await runtime.stop();
    }
  });
});
