import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardReaderSimulator } from '../../device-drivers/card-reader/sim/card-reader-simulator.js';
import type { CardRead, CardReader } from '../../device-drivers/contracts/card-reader.js';
import type { ErrorEvent } from '../../device-drivers/contracts/device.js';
import { createCardReader, getSimulator, parseCardInput, startDevice } from '../../device-drivers/index.js';
import { hasSocat, missing } from '../helpers/requirements.js';
import { type Backend, hardwarePort, type Rig, simBehindPty } from './harness.js';

async function rig(backend: Backend): Promise<Rig<CardReader, CardReaderSimulator>> {
  if (backend === 'sim') {
    const device = await createCardReader({ transport: { kind: 'sim' } });
    return { device, sim: getSimulator(device)?.cardReader, teardown: () => device.close() };
  }
  if (backend === 'pty') {
    const p = await simBehindPty(new CardReaderSimulator(), 9600);
    const device = await createCardReader({ transport: { kind: 'serial', path: p.hostPath } });
    return {
      device,
      sim: p.sim,
      teardown: async () => {
        await device.close();
        await p.close();
      },
    };
  }
  const device = await createCardReader({
    transport: { kind: 'serial', path: process.env.LINLI_HW_CARD_READER! },
  });
  return { device, sim: undefined, teardown: () => device.close() };
}

function cardReaderContract(backend: Backend): void {
  describe(`CardReader contract (${backend})`, () => {
    let r: Rig<CardReader, CardReaderSimulator>;
    const reads: CardRead[] = [];
    const errors: ErrorEvent[] = [];
    beforeEach(async () => {
      reads.length = 0;
      errors.length = 0;
      r = await rig(backend);
      r.device.on('data', (d) => reads.push(d));
      r.device.on('error', (e) => errors.push(e));
      await startDevice(r.device);
    });
    afterEach(async () => {
      await r.teardown();
    });

    it('is enabled and online', () => {
      expect(r.device.state).toBe('idle');
      expect(r.device.power).toBe('online');
    });

    it.skipIf(backend === 'hardware')(
      'reports an IC card UID once, even when the reader repeats it',
      async () => {
        await r.sim!.presentIc('04A224B2C35E80');
        await r.sim!.presentIc('04A224B2C35E80');
        await expect.poll(() => reads.length).toBe(1);
        expect(reads[0]).toMatchObject({ kind: 'ic', uid: '04A224B2C35E80' });
      },
    );

    it.skipIf(backend === 'hardware')(
      'reports magnetic-stripe tracks with unreadable ones as null',
      async () => {
        await r.sim!.swipe([null, '8800123456=4912', null]);
        await expect.poll(() => reads.length).toBe(1);
        expect(reads[0]).toMatchObject({ kind: 'magstripe', tracks: [null, '8800123456=4912', null] });
      },
    );

    it.skipIf(backend === 'hardware')('refuses a bank card and never delivers its data', async () => {
      await r.sim!.swipeBankCard();
      await expect.poll(() => errors.length).toBe(1);
      expect(errors[0]!.error.code).toBe('DEVICE_UNSUPPORTED');
      expect(errors[0]!.locus).toBe('input_data');
      expect(reads).toHaveLength(0);
    });

    it.skipIf(backend === 'hardware')(
      'reports line noise as a protocol error and keeps reading',
      async () => {
        await r.sim!.sendGarbage();
        await r.sim!.presentIc('A1B2C3D4');
        await expect.poll(() => reads.length).toBe(1);
        expect(errors[0]!.error.code).toBe('DEVICE_PROTOCOL_ERROR');
      },
    );
  });
}

cardReaderContract('sim');
describe.skipIf(missing('socat', hasSocat()))('over a real pty pair', () => cardReaderContract('pty'));
describe.skipIf(!hardwarePort('cardReader'))('on real hardware', () => cardReaderContract('hardware'));

describe('keyboard-wedge input', () => {
  it('goes through the same strict parser', () => {
    expect(parseCardInput('0012345678\n')).toMatchObject({ kind: 'ic', uid: '00BC614E' });
    expect(() => parseCardInput('hello')).toThrow(expect.objectContaining({ code: 'DEVICE_PROTOCOL_ERROR' }));
  });
});
