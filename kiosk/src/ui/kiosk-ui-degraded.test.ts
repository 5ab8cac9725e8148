/**
 * The kiosk touch UI when hardware is missing (issue 12), in Chromium, by taps: no printer (the receipt is
 * an e-receipt QR), no card terminal (QR pay only), and nothing to pay with (said in plain words, no payment
 * starts). The simulated cables are pulled through POST /kiosk/api/sim/plug while the page is open; each
 * state passes axe and the size checks, with screenshots in test-artifacts/kiosk-ui/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScreen } from '../../../tests/helpers/kiosk-ui-checks.js';
import {
  type KioskUiWorld,
  kioskCall,
  startKioskUiWorld,
  TouchPage,
} from '../../../tests/helpers/kiosk-ui-world.js';
import { eventually } from '../../../tests/helpers/processes.js';
import { hasChromium, missing } from '../../../tests/helpers/requirements.js';

async function toBill(p: TouchPage, biller: string, account: string): Promise<void> {
  await p.tap('[data-testid="go-pay"]');
  await p.tap(`[data-biller="${biller}"]`);
  await p.digits(account);
  await p.tap('[data-testid="lookup"]');
  await p.screen('pay-bill');
}
const plug = (w: KioskUiWorld, peripheral: string, plugged: boolean) =>
  kioskCall(w.kiosk, '/kiosk/api/sim/plug', { peripheral, plugged });

describe.skipIf(missing('chromium', hasChromium()))(
  'kiosk touch UI with peripherals missing',
  { timeout: 180_000 },
  () => {
    let world: KioskUiWorld;
    beforeAll(async () => {
      world = await startKioskUiWorld({ voice: { defaultOn: false } });
    }, 120_000);
    afterAll(() => world?.stop());

    it('no printer: both methods offered, the screen says the receipt comes as a QR code, and it does', async () => {
      await plug(world, 'printer', false);
      const p = await TouchPage.open(world);
      try {
        await toBill(p, 'water', '1001000001');
        await p.page.waitForSelector('[data-testid="no-printer"]');
        expect(await p.page.locator('[data-testid="pay-terminal"]').count()).toBe(1);
        expect(await p.page.locator('[data-testid="pay-qr"]').count()).toBe(1);
        expect(await p.page.textContent('main')).toContain('打印机暂时不能使用');
        await checkScreen(p, 'degraded-no-printer');
        await p.tap('[data-testid="pay-terminal"]');
        await p.page.waitForSelector('.pay-status[data-status="paid"] img.qr', { timeout: 30_000 });
        await checkScreen(p, 'degraded-no-printer-ereceipt');
      } finally {
        await p.close();
        await plug(world, 'printer', true);
      }
    });

    it('no terminal: QR only, live — the card button goes while the bill is on screen and comes back on replug', async () => {
      const p = await TouchPage.open(world);
      try {
        await toBill(p, 'water', '1001000002');
        await p.page.waitForSelector('[data-testid="pay-terminal"]');
        await plug(world, 'terminal', false);
        await p.page.waitForSelector('[data-testid="no-terminal"]', { timeout: 30_000 });
        expect(await p.page.locator('[data-testid="pay-terminal"]').count()).toBe(0);
        expect(await p.page.locator('[data-testid="pay-qr"]').count()).toBe(1);
        expect(await p.page.textContent('main')).toContain('刷卡机暂时不能使用');
        await checkScreen(p, 'degraded-no-terminal');
        await plug(world, 'terminal', true);
        await p.page.waitForSelector('[data-testid="pay-terminal"]', { timeout: 30_000 });
        expect(await p.page.locator('[data-testid="no-terminal"]').count()).toBe(0);
      } finally {
        await p.close();
      }
    });
  },
);

describe.skipIf(missing('chromium', hasChromium()))(
  'kiosk touch UI with nothing to pay with',
  { timeout: 180_000 },
  () => {
    let world: KioskUiWorld;
    beforeAll(async () => {
      // This kiosk offers card payments only (the remote setting payment.methods, set on its community: the
      // control plane's target wins over device.json once the kiosk syncs), and its terminal is gone.
      world = await startKioskUiWorld({ voice: { defaultOn: false } });
      await world.admin.setNodeConfig(world.communityId, { 'payment.methods': ['terminal'] });
      await eventually(
        async () => {
          const m = (await (await fetch(`${world.kiosk}/kiosk/api/methods`)).json()) as {
            configured: string[];
          };
          return JSON.stringify(m.configured) === '["terminal"]';
        },
        60_000,
        'the kiosk to apply payment.methods = [terminal]',
      );
    }, 120_000);
    afterAll(() => world?.stop());

    it('says so in plain words (zh and en), shows no pay button, and no payment starts', async () => {
      await plug(world, 'terminal', false);
      const p = await TouchPage.open(world);
      try {
        await toBill(p, 'electricity', '2002000001');
        await p.page.waitForSelector('[data-testid="no-payment"]', { timeout: 30_000 });
        expect(await p.page.locator('[data-testid="pay-terminal"], [data-testid="pay-qr"]').count()).toBe(0);
        expect(await p.page.textContent('main')).toContain('本机暂时不能缴费');
        await checkScreen(p, 'degraded-no-payment');
        await p.tap('[data-testid="lang"]');
        await p.page.waitForFunction(
          "document.querySelector('main')?.textContent?.includes('Payments are not available')",
        );
        await checkScreen(p, 'degraded-no-payment-en');
        const payments = await kioskCall<{ payments: unknown[] }>(world.kiosk, '/kiosk/api/payments');
        expect(payments.payments).toEqual([]);
      } finally {
        await p.close();
      }
    });
  },
);
