import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedController, LedFrame } from '../../device-drivers/contracts/led-controller.js';
import { createLedController, getSimulator, startDevice } from '../../device-drivers/index.js';
import { LedSimulator } from '../../device-drivers/led-controller/sim/led-simulator.js';
import { hasSocat, missing } from '../helpers/requirements.js';
import { type Backend, hardwarePort, type Rig, simBehindPty } from './harness.js';

const W = 64;
const H = 16;
function frame(): LedFrame {
  const pixels = new Uint8Array(W * H);
  for (let x = 0; x < W; x++) pixels[(x % H) * W + x] = 1;
  return { width: W, height: H, colors: 1, pixels };
}

async function rig(backend: Backend): Promise<Rig<LedController, LedSimulator>> {
  const geometry = { width: W, height: H, colors: 1 as const };
  if (backend === 'sim') {
    const device = await createLedController({
      transport: { kind: 'sim' },
      ...geometry,
      ackTimeoutMs: 200,
      retries: 1,
    });
    return { device, sim: getSimulator(device)?.led, teardown: () => device.close() };
  }
  if (backend === 'pty') {
    const p = await simBehindPty(new LedSimulator(geometry), 9600);
    const device = await createLedController({
      transport: { kind: 'serial', path: p.hostPath },
      ...geometry,
      ackTimeoutMs: 300,
      retries: 1,
    });
    return {
      device,
      sim: p.sim,
      teardown: async () => {
        await device.close();
        await p.close();
      },
    };
  }
  const device = await createLedController({
    transport: { kind: 'serial', path: process.env.LINLI_HW_LED! },
    ...geometry,
  });
  return { device, sim: undefined, teardown: () => device.close() };
}

function ledContract(backend: Backend): void {
  describe(`LedController contract (${backend})`, () => {
    let r: Rig<LedController, LedSimulator>;
    beforeEach(async () => {
      r = await rig(backend);
      await startDevice(r.device);
    });
    afterEach(async () => {
      await r.teardown();
    });

    it('shows a bitmap frame, acknowledged by the sign', async () => {
      const f = frame();
      await r.device.showFrame(f);
      if (!r.sim) return;
      const shown = r.sim.area(0);
      expect(shown.kind).toBe('picture');
      expect(shown.kind === 'picture' && Buffer.from(shown.frame.pixels).equals(Buffer.from(f.pixels))).toBe(
        true,
      );
    });

    it('shows ASCII text and refuses what its fonts cannot draw', async () => {
      await r.device.showText('WATER OFF 8-14');
      if (r.sim) expect(r.sim.area(0)).toEqual({ kind: 'text', text: 'WATER OFF 8-14' });
      await expect(r.device.showText('停水')).rejects.toMatchObject({ code: 'DEVICE_UNSUPPORTED' });
    });

    it('sets brightness and validates the level', async () => {
      await r.device.setBrightness(4);
      if (r.sim) expect(r.sim.brightness).toBe(58);
      await expect(r.device.setBrightness(17)).rejects.toMatchObject({ code: 'DEVICE_INVALID_ARGUMENT' });
    });

    it('rejects a frame of the wrong size', async () => {
      await expect(
        r.device.showFrame({ width: 8, height: 8, colors: 1, pixels: new Uint8Array(64) }),
      ).rejects.toMatchObject({
        code: 'DEVICE_INVALID_ARGUMENT',
      });
    });

    it.skipIf(backend === 'hardware')(
      'retries after a NAK and fails with NAK when the sign keeps refusing',
      async () => {
        r.sim!.nakNext = 1;
        await r.device.showText('RETRY');
        expect(r.sim!.area(0)).toEqual({ kind: 'text', text: 'RETRY' });
        r.sim!.nakNext = 10;
        await expect(r.device.showText('NO')).rejects.toMatchObject({ code: 'DEVICE_NAK' });
      },
    );
  });
}

ledContract('sim');
describe.skipIf(missing('socat', hasSocat()))('over a real pty pair', () => ledContract('pty'));
describe.skipIf(!hardwarePort('led'))('on real hardware', () => ledContract('hardware'));
