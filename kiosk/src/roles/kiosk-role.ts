import type { CardReader } from '../../../device-drivers/contracts/card-reader.js';
import type { PaymentTerminal } from '../../../device-drivers/contracts/payment-terminal.js';
import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { livePeripheral } from '../live-peripheral.js';
import { BillDesk } from '../payment/bill-desk.js';
import { KioskSession } from '../payment/kiosk-session.js';
import { PayMethods } from '../payment/pay-methods.js';
import { PaymentFlow } from '../payment/payment-flow.js';
import { PaymentJournal } from '../payment/payment-journal.js';
import { Reprints } from '../payment/reprint-poller.js';
import { BrowserSupervisor } from '../screen/browser-supervisor.js';
import { AppointmentDesk } from '../services/appointment-desk.js';
import { ServiceCatalogueView } from '../services/service-catalogue.js';
import { Speech } from '../services/speech.js';
import { kioskAppointmentRoutes } from './kiosk-appointment-routes.js';
import { kioskCommandHooks } from './kiosk-commands.js';
import { KioskFleet } from './kiosk-fleet.js';
import { kioskNoticeRoutes } from './kiosk-notice-routes.js';
import { KioskPageSettings } from './kiosk-page-settings.js';
import { kioskRoutes } from './kiosk-routes.js';
import { kioskServiceRoutes } from './kiosk-service-routes.js';
import type { RoleContext, RoleUnit } from './role-unit.js';

/** The push kind the control plane sends when staff ask for a receipt reprint (services/payments/reprints.ts). */
const REPRINT_PUSH_KIND = 'linli.reprint';

/**
 * The payment kiosk: bill lookup (by account or resident card), the journaled payment flow (terminal or QR),
 * receipts and reprints; open payments are resumed on start and periodically, before any new payment. Also
 * the service-matter catalogue, appointments and voice prompts of the touch UI (issue #6).
 */
export async function createKioskRole(ctx: RoleContext): Promise<RoleUnit> {
  // Live handles: the kiosk runs with any peripheral missing (issue 12); a missing printer fails the print
  // (→ e-receipt QR), a missing terminal is not offered (PayMethods), and both come back when plugged in.
  const live = <D>(name: 'printer' | 'terminal' | 'cardReader', whileAbsent?: Record<string, unknown>) =>
    livePeripheral(name, ctx.peripherals, ctx.peripheralEvents, whileAbsent) as unknown as D;
  const printer = live<ReceiptPrinter>('printer', { columns: 48 });
  const terminal = live<PaymentTerminal>('terminal');
  const cardReader =
    ctx.config.peripherals.cardReader.transport.kind === 'none' ? undefined : live<CardReader>('cardReader');
  const methods = new PayMethods(ctx.settings, ctx.peripherals, ctx.peripheralEvents);
  // The kiosk page in the screen's Chromium, watched over DevTools (crash, hang, touch health).
  const browser = new BrowserSupervisor(ctx.config.screen, ctx.log.child({ component: 'screen' }), {
    path: '/kiosk',
    touch: true,
  });
  const log = ctx.log.child({ component: 'payment' });
  const cfg = ctx.config.payment;
  const journal = await PaymentJournal.open(ctx.layout.payments);
  // Remote configuration (issue 12): the busy signal, receipt lines and printer profile appliers.
  const fleet = new KioskFleet({ settings: ctx.settings, printer });
  const timeZone = ctx.identity.file.node.timezone;
  const flow = new PaymentFlow({
    api: ctx.api,
    trust: ctx.trust,
    journal,
    terminal,
    printer,
    deviceId: ctx.identity.deviceId,
    timeZone,
    log,
    terminalTimeoutMs: cfg.terminalTimeoutMs,
    qrTimeoutMs: cfg.qrTimeoutMs,
    statusPollMs: cfg.statusPollMs,
    receiptLines: fleet.receiptLines,
  });
  fleet.watchPayments(flow, journal);
  const desk = new BillDesk({ api: ctx.api, trust: ctx.trust, deviceId: ctx.identity.deviceId, log });
  const preview = (jobId: string) => `/kiosk/receipts/${encodeURIComponent(jobId)}.png`;
  const session = new KioskSession({
    flow,
    journal,
    desk,
    printer,
    terminal,
    ...(cardReader ? { cardReader } : {}),
    methods,
    present: (name) => ctx.peripherals[name] !== undefined,
    log,
    previewUrl: preview,
  });
  const reprints = new Reprints({
    api: ctx.api,
    trust: ctx.trust,
    printer,
    journal,
    timeZone,
    log,
    intervalMs: cfg.reprintPollMs,
    busy: () => flow.active !== undefined || journal.open().length > 0,
    receiptLines: fleet.receiptLines,
  });
  // Issue #6: the verified catalogue (swapped with the manifest), appointments, voice prompts.
  const catalogue = new ServiceCatalogueView(() => ({
    catalogue: ctx.content.sync.manifest?.services,
    version: ctx.content.sync.manifestSha256?.slice(0, 16),
  }));
  const communityName = ctx.identity.file.node.name;
  const appointments = new AppointmentDesk({
    api: ctx.api,
    trust: ctx.trust,
    catalogue,
    printer,
    deviceId: ctx.identity.deviceId,
    communityName,
    log: ctx.log.child({ component: 'appointments' }),
    activity: fleet.booking,
  });
  session.on('reset', () => fleet.booking(false));
  const speech = new Speech({ dir: ctx.layout.speech, log: ctx.log.child({ component: 'voice' }) });
  const pageSettings = new KioskPageSettings({
    settings: ctx.settings,
    config: ctx.config,
    voiceAvailable: () => speech.available(),
    communityName,
    deviceName: ctx.identity.file.name ?? ctx.identity.deviceId,
    timeZone,
  });
  ctx.onPush?.((msg) => {
    if (msg.kind === REPRINT_PUSH_KIND) reprints.poke();
  });
  const commands = kioskCommandHooks(ctx, { flow, reprints, printer, browser });
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
      await kioskRoutes(app, {
        desk,
        flow,
        journal,
        session,
        methods,
        reprints,
        printerDir: ctx.layout.printer,
        sims: { devices: ctx.peripherals },
        pageSettings,
      });
      await kioskNoticeRoutes(app, ctx.content);
      await kioskServiceRoutes(app, {
        catalogue,
        printer,
        speech,
        pageSettings,
        timeZone,
      });
      await kioskAppointmentRoutes(app, appointments);
    },
    start: async () => {
      if (timer) return;
      session.start();
      reprints.start();
      timer = setInterval(() => void resume(), cfg.resumeIntervalMs);
      timer.unref();
      // Not awaited: the page must come up even while the control plane is unreachable.
      void resume().then(() => reprints.poke());
    },
    afterListen: (url) => browser.start(url),
    restartBrowser: () => browser.restart(),
    screenshot: commands.screenshot,
    identify: commands.identify,
    reprintLastReceipt: commands.reprintLastReceipt,
    stop: async () => {
      await browser.stop();
      clearInterval(timer);
      timer = undefined;
      session.stop();
      methods.close();
      await reprints.stop();
      await resuming;
    },
    busy: fleet.busy,
    health: () => ({
      openPayments: journal.open().length,
      unknownPayments: journal.open().filter((e) => e.step === 'unknown').length,
      activePayment: flow.active ?? null,
      canIdleReset: session.session().canIdleReset,
      serviceMatters: ctx.content.sync.manifest?.services?.matters.length ?? null,
      payMethods: methods.view().offered,
      browser: browser.health(),
    }),
  };
}
