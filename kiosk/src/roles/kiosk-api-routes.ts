import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { AccountNumber, BillerId } from '../../../protocol/schemas/bill.js';
import { CardUid } from '../../../protocol/schemas/card.js';
import { IdSchema } from '../../../protocol/schemas/common.js';
import { PaymentMethod } from '../../../protocol/schemas/payment.js';
import type { BillDesk } from '../payment/bill-desk.js';
import type { KioskSession } from '../payment/kiosk-session.js';
import type { PayMethods } from '../payment/pay-methods.js';
import type { PaymentFlow } from '../payment/payment-flow.js';
import { isOpen, type JournalEntry, type PaymentJournal } from '../payment/payment-journal.js';
import type { Reprints } from '../payment/reprint-poller.js';

export interface KioskApiOptions {
  desk: BillDesk;
  flow: PaymentFlow;
  journal: PaymentJournal;
  session: KioskSession;
  /** Live payment capabilities; a method not offered now is refused (LINLI_ERR_PAYMENT_METHOD_UNAVAILABLE). */
  methods?: PayMethods;
  reprints: Reprints;
}

const strict = { additionalProperties: false } as const;
const BillsBody = Type.Union([
  Type.Object({ billerId: BillerId, account: AccountNumber }, strict),
  Type.Object({ cardUid: CardUid }, strict),
]);
const PayBody = Type.Object(
  {
    billId: IdSchema('bill'),
    method: Type.Optional(PaymentMethod),
    /** Wait for the end (default for terminal payments, as the first kiosk page did), or answer at once. */
    wait: Type.Optional(Type.Boolean()),
  },
  strict,
);
const KeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 80 }) });
const WaitQuery = Type.Object({
  since: Type.Optional(Type.String({ maxLength: 40 })),
  waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 30_000 })),
});

const svg = async (data: string) =>
  QRCode.toString(data, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });

/**
 * The kiosk's local JSON API: what the kiosk page (and the touch UI of issue #6) calls. Every route and
 * every state the UI must show is in docs/kiosk-local-api.md. Bodies are validated; errors are
 * {error:{code,message}}.
 */
export async function kioskApiRoutes(app: FastifyInstance, o: KioskApiOptions): Promise<void> {
  const entryOf = (key: string): JournalEntry => {
    const e = o.journal.get(key) ?? o.journal.findByPaymentId(key);
    if (!e) throw new LinliError(ErrorCode.PAYMENT_NOT_FOUND, `no payment ${key} on this kiosk`);
    return e;
  };
  /** Resolves when the entry changes after `since` (an updatedAt), or after waitMs with it as it is. */
  const waitForChange = (
    key: string,
    since: string | undefined,
    waitMs: number,
    until?: (e: JournalEntry) => boolean,
  ) =>
    new Promise<JournalEntry>((resolve) => {
      const done = (e: JournalEntry) => (until ? until(e) : since === undefined || e.updatedAt !== since);
      const now = entryOf(key);
      if (done(now) || waitMs === 0) return resolve(now);
      const timer = setTimeout(finish, waitMs);
      function onChange(e: JournalEntry) {
        if (e.key === key && done(e)) finish();
      }
      function finish() {
        clearTimeout(timer);
        o.journal.off('change', onChange);
        resolve(entryOf(key));
      }
      o.journal.on('change', onChange);
    });

  app.get<{ Querystring: { since?: string; waitMs?: number } }>(
    '/kiosk/api/session',
    { schema: { querystring: WaitQuery } },
    async (req) => {
      const since = req.query.since === undefined ? undefined : Number(req.query.since);
      if (since === undefined || since !== o.session.version || !req.query.waitMs) return o.session.session();
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(), req.query.waitMs);
        const finish = () => {
          clearTimeout(timer);
          o.session.off('change', finish);
          resolve(o.session.session());
        };
        o.session.once('change', finish);
      });
    },
  );

  app.get('/kiosk/api/methods', async () => o.methods?.view() ?? null);

  app.post('/kiosk/api/session/reset', async () => {
    o.session.reset();
    return o.session.session();
  });

  app.post<{ Body: { billerId: BillerId; account: string } | { cardUid: string } }>(
    '/kiosk/api/bills',
    { schema: { body: BillsBody } },
    async (req) => {
      if ('cardUid' in req.body) return o.session.readCard(req.body.cardUid);
      return o.desk.lookup(req.body);
    },
  );

  app.post<{ Body: { billId: string; method?: 'terminal' | 'qr'; wait?: boolean } }>(
    '/kiosk/api/payments',
    { schema: { body: PayBody } },
    async (req) => {
      const method = o.methods ? o.methods.choose(req.body.method) : (req.body.method ?? 'terminal');
      const started = await o.flow.start(o.desk.take(req.body.billId), method);
      const wait = req.body.wait ?? method === 'terminal';
      if (wait) return o.session.view(await started.done);
      // Answer once there is something to show: the QR code, the terminal's prompt, or the outcome.
      const e = await waitForChange(
        started.key,
        undefined,
        15_000,
        (x) => !['intent', 'created'].includes(x.step) || Boolean(x.error),
      );
      return o.session.view(e);
    },
  );

  app.get('/kiosk/api/payments', async () => ({
    payments: [...o.journal.list()].reverse().map((e) => o.session.view(e)),
  }));

  app.get<{ Params: { key: string }; Querystring: { since?: string; waitMs?: number } }>(
    '/kiosk/api/payments/:key',
    { schema: { params: KeyParams, querystring: WaitQuery } },
    async (req) =>
      o.session.view(
        await waitForChange(entryOf(req.params.key).key, req.query.since, req.query.waitMs ?? 0),
      ),
  );

  app.post<{ Params: { key: string } }>(
    '/kiosk/api/payments/:key/cancel',
    { schema: { params: KeyParams } },
    async (req) => {
      const e = o.flow.requestCancel(entryOf(req.params.key).key);
      // Give the terminal or the wallet a moment to confirm, so the answer usually shows the outcome.
      return o.session.view(
        await waitForChange(e.key, undefined, 5_000, (x) => !isOpen(x) || Boolean(x.error)),
      );
    },
  );

  app.get<{ Params: { key: string } }>(
    '/kiosk/api/payments/:key/wallet-qr.svg',
    { schema: { params: KeyParams } },
    async (req, reply) => {
      const qr = o.session.view(entryOf(req.params.key)).qr;
      if (!qr) throw new LinliError(ErrorCode.NOT_FOUND, 'this payment is not showing a wallet QR code now');
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'no-store')
        .send(await svg(qr.codeUrl));
    },
  );

  app.get<{ Params: { key: string } }>(
    '/kiosk/api/payments/:key/receipt-qr.svg',
    { schema: { params: KeyParams } },
    async (req, reply) => {
      const receipt = entryOf(req.params.key).receipt?.payload;
      if (!receipt) throw new LinliError(ErrorCode.RECEIPT_NOT_FOUND, 'this payment has no receipt');
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'no-store')
        .send(await svg(receipt.verifyUrl));
    },
  );

  app.get('/kiosk/api/receipts/last/qr.svg', async (_req, reply) => {
    const receipt = o.journal.lastReceipt?.payload;
    if (!receipt) throw new LinliError(ErrorCode.RECEIPT_NOT_FOUND, 'there is no receipt on this kiosk yet');
    return reply
      .type('image/svg+xml')
      .header('cache-control', 'no-store')
      .send(await svg(receipt.verifyUrl));
  });

  app.post('/kiosk/api/receipts/reprint', async () => {
    const receipt = await o.reprints.reprintLast();
    return { printed: true, receipt: { id: receipt.id, verifyUrl: receipt.verifyUrl } };
  });
}
