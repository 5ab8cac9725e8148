import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { BillDesk } from '../payment/bill-desk.js';
import { PaymentFlow } from '../payment/payment-flow.js';
import { PaymentJournal } from '../payment/payment-journal.js';
import { kioskNoticeRoutes } from './kiosk-notice-routes.js';
import { kioskRoutes } from './kiosk-routes.js';
import type { RoleContext, RoleUnit } from './role-unit.js';

/** The payment kiosk: bill lookup, the journaled payment flow, receipts; open payments resumed on start. */
export async function createKioskRole(ctx: RoleContext): Promise<RoleUnit> {
  const { printer, terminal } = ctx.peripherals;
  if (!printer || !terminal) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      'the kiosk role needs a receipt printer and a payment terminal; check the peripherals in device.json',
      { field: 'peripherals' },
    );
  }
  const log = ctx.log.child({ component: 'payment' });
  const journal = await PaymentJournal.open(ctx.layout.payments);
  const flow = new PaymentFlow({
    api: ctx.api,
    trust: ctx.trust,
    journal,
    terminal,
    printer,
    deviceId: ctx.identity.deviceId,
    timeZone: ctx.identity.file.node.timezone,
    log,
    terminalTimeoutMs: ctx.config.payment.terminalTimeoutMs,
  });
  const desk = new BillDesk({ api: ctx.api, trust: ctx.trust, deviceId: ctx.identity.deviceId, log });
  let timer: NodeJS.Timeout | undefined;
  let resuming: Promise<void> | undefined;
  const resume = () => {
    resuming ??= flow.resumeAll().finally(() => {
      resuming = undefined;
    });
    return resuming;
  };
  return {
    routes: async (app) => {
      await kioskRoutes(app, { desk, flow, journal, printerDir: ctx.layout.printer });
      await kioskNoticeRoutes(app, ctx.content);
    },
    start: async () => {
      if (timer) return;
      timer = setInterval(() => void resume(), ctx.config.payment.resumeIntervalMs);
      timer.unref();
      // Not awaited: the page must come up even while the control plane is unreachable.
      void resume();
    },
    stop: async () => {
      clearInterval(timer);
      timer = undefined;
      await resuming;
    },
    health: () => ({ openPayments: journal.open().length }),
  };
}
