import type { PosDevice } from '../../device-drivers/contracts/device.js';
import { SerialTransport } from '../../device-drivers/transports/serial-transport.js';
import type { DevicePort } from '../../device-drivers/transports/sim-pair.js';
import { openPtyPair } from './pty-pair.js';

/** How a contract suite gets a device: in-process sim, a simulator behind a socat pty pair, or real hardware. */
export type Backend = 'sim' | 'pty' | 'hardware';

export interface Rig<D, S> {
  readonly device: D;
  /** The simulator, when there is one (not on real hardware). */
  readonly sim: S | undefined;
  teardown(): Promise<void>;
}

/**
 * Runs a simulator on the device side of a real pty pair and gives the host path to the driver: the driver's
 * SerialTransport (serialport, lock, termios) then carries every byte for real.
 */
export async function simBehindPty<S extends { attach(port: DevicePort): () => void }>(
  sim: S,
  baudRate: number,
): Promise<{ hostPath: string; sim: S; close(): Promise<void> }> {
  const pair = await openPtyPair();
  const deviceSide = new SerialTransport({ path: pair.device, baudRate });
  await deviceSide.open();
  const detach = sim.attach({ send: (b) => deviceSide.write(b), onData: (l) => deviceSide.onData(l) });
  return {
    hostPath: pair.host,
    sim,
    async close() {
      detach();
      await deviceSide.close();
      await pair.close();
    },
  };
}

export async function stop(device: PosDevice<never> | PosDevice): Promise<void> {
  await device.close();
}

/** Env var naming a real port per device kind; the hardware variant of a suite runs only when it is set. */
export const HARDWARE_ENV = {
  printer: 'LINLI_HW_PRINTER',
  terminal: 'LINLI_HW_TERMINAL',
  cardReader: 'LINLI_HW_CARD_READER',
  led: 'LINLI_HW_LED',
} as const;

export function hardwarePort(kind: keyof typeof HARDWARE_ENV): string | undefined {
  const v = process.env[HARDWARE_ENV[kind]];
  if (!v)
    process.stderr.write(
      `[skip] no ${HARDWARE_ENV[kind]} set: the real-hardware ${kind} contract suite is skipped\n`,
    );
  return v || undefined;
}

export const until = async (pred: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};
