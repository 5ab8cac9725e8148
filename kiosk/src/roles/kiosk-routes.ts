import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { AccountNumber, BillerId, type BillQuery } from '../../../protocol/schemas/bill.js';
import { IdSchema } from '../../../protocol/schemas/common.js';
import type { BillDesk } from '../payment/bill-desk.js';
import type { PaymentFlow } from '../payment/payment-flow.js';
import type { PaymentJournal } from '../payment/payment-journal.js';
import { paymentView } from '../payment/payment-view.js';

export interface KioskRoutesOptions {
  desk: BillDesk;
  flow: PaymentFlow;
  journal: PaymentJournal;
  /** Where the simulated printer writes `<jobId>.png`. */
  printerDir: string;
}

const UI_FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};
const uiPath = (name: string) => fileURLToPath(new URL(`./../ui/${name}`, import.meta.url));
const RECEIPT_ID = /^rcpt_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The kiosk page (/kiosk) and the local JSON API it uses (also what system tests drive):
 *   POST /kiosk/api/bills     {billerId, account} → {bills: BillView[], rejected}
 *   POST /kiosk/api/payments  {billId}            → PaymentView
 *   GET  /kiosk/api/payments                      → {payments: PaymentView[]} (newest first)
 *   GET  /kiosk/api/payments/:key                 → PaymentView
 *   GET  /kiosk/receipts/:receiptId.png           → the printed receipt as the printer rendered it
 */
export async function kioskRoutes(app: FastifyInstance, opts: KioskRoutesOptions): Promise<void> {
  const preview = (jobId: string) => `/kiosk/receipts/${encodeURIComponent(jobId)}.png`;

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

  app.post<{ Body: BillQuery }>(
    '/kiosk/api/bills',
    {
      schema: {
        body: Type.Object({ billerId: BillerId, account: AccountNumber }, { additionalProperties: false }),
      },
    },
    async (req) => opts.desk.lookup(req.body),
  );

  app.post<{ Body: { billId: string } }>(
    '/kiosk/api/payments',
    { schema: { body: Type.Object({ billId: IdSchema('bill') }, { additionalProperties: false }) } },
    async (req) => paymentView(await opts.flow.pay(opts.desk.take(req.body.billId)), preview),
  );

  app.get('/kiosk/api/payments', async () => ({
    payments: [...opts.journal.list()].reverse().map((e) => paymentView(e, preview)),
  }));

  app.get<{ Params: { key: string } }>('/kiosk/api/payments/:key', async (req) => {
    const e = opts.journal.get(req.params.key) ?? opts.journal.findByPaymentId(req.params.key);
    if (!e) throw new LinliError(ErrorCode.PAYMENT_NOT_FOUND, `no payment ${req.params.key} on this kiosk`);
    return paymentView(e, preview);
  });

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
