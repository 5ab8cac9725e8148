import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { getSimulator } from '../../../device-drivers/index.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { CardUid } from '../../../protocol/schemas/card.js';
import { simulatedPlug } from '../driver-peripherals.js';
import type { Peripherals } from '../peripherals.js';

export interface KioskSimOptions {
  /** The live peripherals (a pulled device is absent from it). */
  devices: Peripherals;
}

const strict = { additionalProperties: false } as const;

function simOf(device: object | undefined, what: string) {
  const sim = device ? getSimulator(device) : undefined;
  if (!device) {
    throw new LinliError(
      ErrorCode.SIMULATOR_ONLY,
      `the ${what} is not connected now; plug the simulated ${what} in first (POST /kiosk/api/sim/plug)`,
    );
  }
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
 * resident card, run the printer out of paper, make the terminal decline or lose its answer, pull or plug a
 * simulated cable (the peripheral goes from the kiosk, and comes back, as a real one would). They answer
 * LINLI_ERR_SIMULATOR_ONLY on a kiosk with real hardware.
 */
export async function kioskSimRoutes(app: FastifyInstance, o: KioskSimOptions): Promise<void> {
  app.post<{ Body: { cardUid: string } }>(
    '/kiosk/api/sim/card',
    { schema: { body: Type.Object({ cardUid: CardUid }, strict) } },
    async (req) => {
      await simOf(o.devices.cardReader, 'card reader').cardReader!.presentIc(req.body.cardUid);
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
      simOf(o.devices.printer, 'printer').printer!.setPaper(req.body.paper);
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
      simOf(o.devices.terminal, 'payment terminal').terminal!.behaviour = req.body.behaviour;
      return { ok: true };
    },
  );
  app.post<{ Body: { peripheral: 'printer' | 'terminal' | 'cardReader'; plugged: boolean } }>(
    '/kiosk/api/sim/plug',
    {
      schema: {
        body: Type.Object(
          {
            peripheral: Type.Union([
              Type.Literal('printer'),
              Type.Literal('terminal'),
              Type.Literal('cardReader'),
            ]),
            plugged: Type.Boolean(),
          },
          strict,
        ),
      },
    },
    async (req) => {
      const plug = simulatedPlug(o.devices);
      const { peripheral, plugged } = req.body;
      if (!plug?.names.includes(peripheral)) {
        throw new LinliError(
          ErrorCode.SIMULATOR_ONLY,
          `the ${peripheral} is real hardware here (or not configured); only a simulated cable can be pulled`,
        );
      }
      if (plugged) plug.replug(peripheral);
      else plug.unplug(peripheral);
      return { ok: true, peripheral, plugged };
    },
  );
}
