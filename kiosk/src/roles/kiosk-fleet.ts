import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { BusySignal } from '../fleet/busy-signal.js';
import type { PaymentFlow } from '../payment/payment-flow.js';
import type { PaymentJournal } from '../payment/payment-journal.js';
import type { ReceiptLines } from '../payment/receipt-document.js';
import type { LiveSettings } from '../settings/live-settings.js';

/** A resident who opened the booking screens and walked away stops holding settings after this long. */
export const BOOKING_HOLD_MS = 10 * 60_000;

export interface KioskFleetOptions {
  settings: LiveSettings;
  printer: ReceiptPrinter;
}

/**
 * The kiosk's part of remote configuration (issue 12): the busy signal that holds `between-sessions`
 * settings back, and the appliers of the settings whose effect lives in the payment side — the receipt's
 * header/footer lines and the printer profile. The page settings are in kiosk-page-settings.ts.
 *
 * Busy means a resident is in the middle of something: a payment the flow is running (a payment left
 * unresolved by a crash resumes in the background with nobody at the screen, and does not hold settings),
 * an appointment booking (from the first days/slots request until the booking ends, the page goes home, or
 * BOOKING_HOLD_MS), or a print job on the printer.
 */
export class KioskFleet {
  readonly busy = new BusySignal();
  readonly #off: (() => void)[] = [];
  #lines: ReceiptLines;

  constructor(opts: KioskFleetOptions) {
    const { settings, printer } = opts;
    this.#lines = {
      header: settings.get('receipt.headerLines'),
      footer: settings.get('receipt.footerLines'),
    };
    this.#off.push(
      settings.onApply('receipt.headerLines', (v) => {
        this.#lines = { ...this.#lines, header: [...v] };
      }),
      settings.onApply('receipt.footerLines', (v) => {
        this.#lines = { ...this.#lines, footer: [...v] };
      }),
      // The driver's profile (code page, width, status commands) is fixed when the printer is opened by the
      // peripherals provider, so it cannot change under a running runtime: a different profile fails with
      // CONFIG_RESTART_REQUIRED (reported with the key); at the next start the provider opens the printer
      // with the accepted target's profile (driver-peripherals.ts remotePrinterProfile), and it applies.
      settings.onApply('printer.profile', (v) => {
        const current = (printer as { profile?: { id?: string } }).profile?.id;
        if (current === v) return;
        throw new LinliError(
          ErrorCode.CONFIG_RESTART_REQUIRED,
          `printer profile ${v} takes effect when the printer is opened again: restart the runtime (remote command "reboot"); until then the printer keeps ${current ?? 'its profile'}`,
          { field: 'printer.profile', current: current ?? null },
        );
      }),
    );
    this.busy.source('print', () => printer.state === 'busy');
    const onStatus = () => this.busy.poke();
    printer.on('status', onStatus);
    this.#off.push(() => printer.off('status', onStatus));
  }

  /** The receipt lines in effect (the payment flow and reprints read them at each print). */
  receiptLines = (): ReceiptLines => this.#lines;

  /** Called by the kiosk role once the payment flow exists. */
  watchPayments(flow: PaymentFlow, journal: PaymentJournal): void {
    this.busy.source('payment', () => flow.active !== undefined);
    const poke = () => this.busy.poke();
    journal.on('change', poke);
    flow.on('released', poke);
    this.#off.push(
      () => journal.off('change', poke),
      () => flow.off('released', poke),
    );
  }

  /** The appointment desk's activity: the booking screens are in use (true) or the booking ended. */
  booking = (open: boolean): void => {
    if (open) this.busy.hold('booking', BOOKING_HOLD_MS);
    else this.busy.release('booking');
  };

  close(): void {
    for (const off of this.#off.splice(0)) off();
    this.busy.close();
  }
}
