import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { PaymentJournal } from '../payment/payment-journal.js';
import { type KioskApiOptions, kioskApiRoutes } from './kiosk-api-routes.js';
import { kioskEventRoutes } from './kiosk-events.js';
import type { KioskPageSettings } from './kiosk-page-settings.js';
import { type KioskSimOptions, kioskSimRoutes } from './kiosk-sim-routes.js';

export interface KioskRoutesOptions extends KioskApiOptions {
  journal: PaymentJournal;
  /** Where the simulated printer writes `<jobId>.png`. */
  printerDir: string;
  sims: KioskSimOptions;
  pageSettings?: KioskPageSettings;
}

const JS = 'text/javascript; charset=utf-8';
/** The touch UI's static files (kiosk/src/ui): plain ES modules, no bundler. */
export const UI_FILES: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'screens.css': 'text/css; charset=utf-8',
  'modes.css': 'text/css; charset=utf-8',
  ...Object.fromEntries(
    [
      'api.js',
      'app.js',
      'attract.js',
      'booking-text.js',
      'community-time.js',
      'dom.js',
      'i18n.js',
      'icons.js',
      'idle.js',
      'keyboard.js',
      'numpad.js',
      'router.js',
      'screen-appointments.js',
      'screen-appt-cancel.js',
      'screen-home.js',
      'screen-matter.js',
      'screen-notices.js',
      'screen-pay-status.js',
      'screen-pay.js',
      'screen-services.js',
      'state.js',
      'voice.js',
      'widgets.js',
    ].map((f) => [f, JS]),
  ),
};
const uiPath = (name: string) => fileURLToPath(new URL(`./../ui/${name}`, import.meta.url));
const RECEIPT_ID = /^rcpt_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The kiosk page (/kiosk), its local JSON API (kiosk-api-routes.ts, documented in docs/kiosk-local-api.md),
 * live events (kiosk-events.ts), simulator controls (kiosk-sim-routes.ts), and receipt previews:
 *   GET /kiosk/receipts/:receiptId.png → the printed receipt as the simulated printer rendered it
 */
export async function kioskRoutes(app: FastifyInstance, opts: KioskRoutesOptions): Promise<void> {
  app.get('/', async (_req, reply) => reply.redirect('/kiosk'));
  app.get('/kiosk', async (_req, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(await readFile(uiPath('index.html'))),
  );
  for (const [name, type] of Object.entries(UI_FILES)) {
    app.get(`/kiosk/${name}`, async (_req, reply) =>
      reply
        .header('content-type', type)
        .header('cache-control', 'no-cache')
        .send(await readFile(uiPath(name))),
    );
  }

  await kioskApiRoutes(app, opts);
  await kioskEventRoutes(app, opts.session, opts.pageSettings, opts.methods);
  await kioskSimRoutes(app, opts.sims);

  app.get<{ Params: { file: string } }>('/kiosk/receipts/:file', async (req, reply) => {
    const id = req.params.file.replace(/\.png$/, '');
    if (!RECEIPT_ID.test(id) || !req.params.file.endsWith('.png')) {
      throw new LinliError(ErrorCode.NOT_FOUND, 'receipt previews are named <receiptId>.png');
    }
    const printed = opts.journal.list().some((e) => e.print?.jobId === id && e.print.outcome !== undefined);
    // The simulated printer renders its PNG just after the cut; give a receipt printed a moment ago time.
    const deadline = Date.now() + (printed ? 3_000 : 0);
    for (;;) {
      try {
        const png = await readFile(join(opts.printerDir, `${id}.png`));
        return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(png);
      } catch {
        if (Date.now() >= deadline) {
          throw new LinliError(
            ErrorCode.RECEIPT_NOT_FOUND,
            `no printed image of receipt ${id} on this kiosk (only the simulated printer makes one)`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
}
