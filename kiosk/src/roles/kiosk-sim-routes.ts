import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CardReader } from '../../../device-drivers/contracts/card-reader.js';
import type { PaymentTerminal } from '../../../device-drivers/contracts/payment-terminal.js';
import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { getSimulator } from '../../../device-drivers/index.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { CardUid } from '../../../protocol/schemas/card.js';

export interface KioskSimOptions {
  printer: ReceiptPrinter;
  terminal: PaymentTerminal;
  cardReader?: CardReader;
}

const strict = { additionalProperties: false } as const;

function simOf(device: object | undefined, what: string) {
  const sim = device ? getSimulator(device) : undefined;
  if (!sim) {
    throw new LinliError(
      ErrorCode.SIMULATOR_ONLY,
      `the ${what} is real hardware here; this control works only with the simulated ${what}`,
    );
  }
  return sim;
}

/**
 * Controls for the simulated peripherals, for the demo, the kiosk page's demo buttons and UI tests: tap a
 * resident card, run the printer out of paper, make the terminal decline or lose its answer. They answer
 * LINLI_ERR_SIMULATOR_ONLY on a kiosk with real hardware.
 */
export async function kioskSimRoutes(app: FastifyInstance, o: KioskSimOptions): Promise<void> {
  app.post<{ Body: { cardUid: string } }>(
    '/kiosk/api/sim/card',
    { schema: { body: Type.Object({ cardUid: CardUid }, strict) } },
    async (req) => {
      await simOf(o.cardReader, 'card reader').cardReader!.presentIc(req.body.cardUid);
      return { ok: true };
    },
  );
  app.post<{ Body: { paper: 'ok' | 'out' | 'near-end' } }>(
    '/kiosk/api/sim/printer',
    {
      schema: {
        body: Type.Object(
          { paper: Type.Union([Type.Literal('ok'), Type.Literal('out'), Type.Literal('near-end')]) },
          strict,
        ),
      },
    },
    async (req) => {
      simOf(o.printer, 'printer').printer!.setPaper(req.body.paper);
      return { ok: true };
    },
  );
  app.post<{
    Body: { behaviour: 'approve' | 'decline' | 'timeout' | 'lost-response'; processingMs?: number };
  }>(
    '/kiosk/api/sim/terminal',
    {
      schema: {
        body: Type.Object(
          {
            behaviour: Type.Union([
              Type.Literal('approve'),
              Type.Literal('decline'),
              Type.Literal('timeout'),
              Type.Literal('lost-response'),
            ]),
          },
          strict,
        ),
      },
    },
    async (req) => {
      simOf(o.terminal, 'payment terminal').terminal!.behaviour = req.body.behaviour;
      return { ok: true };
    },
  );
}
