import type { DeviceRole } from '../../../protocol/schemas/common.js';
import { type DeviceConfig, parseDeviceConfig } from '../config.js';
import { driverPeripherals } from '../driver-peripherals.js';
import { type Logger, silentLogger } from '../logger.js';
import { DeviceRuntime } from '../runtime.js';
import { type EnrollmentSource, enrolledDevice } from './enrolled-device.js';

/** An enrolled device runtime on a free local port, with the drivers' simulators and test-sized timers. */
export async function startRuntime(
  cp: EnrollmentSource,
  role: DeviceRole,
  overrides: Record<string, unknown> = {},
  log: Logger = silentLogger,
) {
  const { stateDir, identity } = await enrolledDevice(cp, role);
  const make = (extra: Record<string, unknown> = {}) => {
    const config: DeviceConfig = parseDeviceConfig({
      port: 0,
      logLevel: 'silent',
      channel: { backoffBaseMs: 20, backoffCapMs: 200 },
      http: { retries: 1, retryBaseMs: 1 },
      ...overrides,
      ...extra,
    });
    return new DeviceRuntime({ stateDir, config, peripherals: driverPeripherals(config, { log }), log });
  };
  const runtime = make();
  const info = await runtime.start();
  return { runtime, info, stateDir, identity, url: info.url, make };
}
