import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeviceConfig } from './config.js';
import { driverPeripherals, simulatedPlug } from './driver-peripherals.js';
import type { PeripheralName } from './peripherals.js';
import { stateLayout } from './state/state-layout.js';

const layout = () => stateLayout(mkdtempSync(join(tmpdir(), 'linli-periph-')));
const slow = { timeout: 30_000, interval: 50 };

describe('driverPeripherals: live peripherals', () => {
  it('an LED controller unplugged at boot: the provider starts without it and adds it on replug', async () => {
    const config = parseDeviceConfig({
      peripherals: { led: { transport: { kind: 'sim' }, sim: { faults: ['unplugged'] } } },
    });
    const { devices, events, close } = await driverPeripherals(config, { retryBaseMs: 50, retryCapMs: 200 })(
      'led',
      layout(),
    );
    try {
      const changes: PeripheralName[] = [];
      events?.on('change', (n) => changes.push(n));
      expect(devices.led).toBeUndefined();
      expect(simulatedPlug(devices)?.names).toEqual(['led']);
      simulatedPlug(devices)!.replug('led');
      await expect.poll(() => devices.led?.power, slow).toBe('online');
      expect(changes).toEqual(['led']);
      simulatedPlug(devices)!.unplug('led');
      await expect.poll(() => devices.led, slow).toBeUndefined();
      expect(changes).toEqual(['led', 'led']);
    } finally {
      await close();
    }
  }, 60_000);

  it('a lobby opens nothing; a bad driver config still stops start-up with the factory’s coded error', async () => {
    const lobby = await driverPeripherals(parseDeviceConfig({}))('lobby', layout());
    expect(lobby.devices).toEqual({});
    const bad = parseDeviceConfig({
      peripherals: { printer: { transport: { kind: 'sim' }, profile: 'nope' } },
    });
    await expect(driverPeripherals(bad)('kiosk', layout())).rejects.toMatchObject({
      code: 'DEVICE_INVALID_ARGUMENT',
    });
  });
});
