import type { CardReaderSimulator } from './card-reader/sim/card-reader-simulator.js';
import type { PosDevice } from './contracts/device.js';
import type { LedSimulator } from './led-controller/sim/led-simulator.js';
import type { TerminalSimulator } from './payment-terminal/sim/terminal-simulator.js';
import type { PrinterSimulator } from './receipt-printer/sim/printer-simulator.js';
import type { SimLink } from './transports/sim-pair.js';

/**
 * The handle to a device's simulator, for fault injection in tests and the demo. Type-only imports: holding the
 * registry costs nothing in production, where no simulator is ever loaded.
 */
export interface SimHandle {
  /** The simulated wire: unplug(), replug(), setSlow(). */
  readonly link: SimLink;
  readonly printer?: PrinterSimulator;
  readonly terminal?: TerminalSimulator;
  readonly cardReader?: CardReaderSimulator;
  readonly led?: LedSimulator;
}

const registry = new WeakMap<object, SimHandle>();

export function registerSimulator(device: object, handle: SimHandle): void {
  registry.set(device, handle);
}

/** The simulator behind a device created with `transport: {kind: 'sim'}`, else undefined. */
export function getSimulator(device: PosDevice<never> | object): SimHandle | undefined {
  return registry.get(device);
}
