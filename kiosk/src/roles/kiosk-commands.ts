import type { ReceiptPrinter } from '../../../device-drivers/contracts/index.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { PaymentFlow } from '../payment/payment-flow.js';
import type { Reprints } from '../payment/reprint-poller.js';
import type { BrowserSupervisor } from '../screen/browser-supervisor.js';
import { identifyLabel, type PageMarks } from '../screen/page-scripts.js';
import type { RoleContext, RoleUnit } from './role-unit.js';

/**
 * The kiosk's part of remote commands (issue 12): screenshots and identify through a browser on the kiosk UI
 * (the same DevTools driver as the lobby's), restart that browser, reprint the last receipt.
 *
 * Screenshots are REFUSED (never blurred) while a payment screen may show card or amount data: a payment is
 * running on the device, or the page says it is on a `pay-*` screen (account, card accounts, bill, status)
 * or busy with a payment; checked before and after the capture.
 */
export function kioskCommandHooks(
  ctx: RoleContext,
  k: {
    flow: Pick<PaymentFlow, 'active'>;
    reprints: Pick<Reprints, 'reprintLast'>;
    printer: ReceiptPrinter;
    /** The kiosk UI's supervised browser (kiosk-role.ts owns its start/stop). */
    browser: Pick<BrowserSupervisor, 'screenshot' | 'identify'>;
  },
): Pick<RoleUnit, 'screenshot' | 'identify' | 'reprintLastReceipt'> {
  const { browser } = k;
  const refuse = (why: string): never => {
    throw new LinliError(
      ErrorCode.SCREENSHOT_REFUSED,
      `no screenshot while ${why}: it may show card or amount data`,
      {
        screenshot: 'refused-payment-screen',
      },
    );
  };
  const guard = (marks: PageMarks): void => {
    if (k.flow.active !== undefined) refuse('a payment runs');
    if (marks.screen?.startsWith('pay-')) refuse(`the payment screen ${marks.screen} shows`);
    if (marks.busy === 'true') refuse('the page shows a payment');
  };
  return {
    screenshot: async () => {
      guard({});
      return [{ kind: 'kiosk', png: await browser.screenshot(guard) }];
    },
    identify: async (seconds) => {
      await browser.identify(seconds, identifyLabel(ctx));
      // The receipt printer contract has no buzzer command yet (ESC/POS BEL / ESC B is model-specific).
      const beep = (k.printer as { beep?: () => Promise<void> }).beep;
      if (!beep) return { beep: 'skipped: the printer driver has no buzzer command' };
      await beep.call(k.printer);
      return { beep: 'done' };
    },
    reprintLastReceipt: async () => (await k.reprints.reprintLast()).id,
  };
}
