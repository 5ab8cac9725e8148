import { join } from 'node:path';
import { CardReaderSimulator } from '../card-reader/sim/card-reader-simulator.js';
import type { SimConfig } from '../config/schema.js';
import { LedSimulator } from '../led-controller/sim/led-simulator.js';
import { TerminalSimulator } from '../payment-terminal/sim/terminal-simulator.js';
import type { PrinterProfile } from '../receipt-printer/profiles.js';
import { PrinterSimulator } from '../receipt-printer/sim/printer-simulator.js';
import type { SimHandle } from '../sim-registry.js';
import { createSimLink } from '../transports/sim-pair.js';
import { applyFaults } from './apply-faults.js';

/**
 * In-process simulators for the factory's `{kind: 'sim'}`: a simulated wire plus the device on its far end.
 * Loaded only through import() so production never carries simulator code.
 */
export function createPrinterSim(
  name: string,
  profile: PrinterProfile,
  sim: SimConfig | undefined,
): SimHandle {
  const link = createSimLink(name);
  const printer = new PrinterSimulator({ profile, ...(sim?.outputDir ? { outputDir: sim.outputDir } : {}) });
  printer.attach(link.device);
  const handle = { link, printer };
  applyFaults(handle, sim?.faults ?? []);
  return handle;
}

export function createTerminalSim(name: string, sim: SimConfig | undefined): SimHandle {
  const link = createSimLink(name);
  const terminal = new TerminalSimulator({
    ...(sim?.processingMs !== undefined ? { processingMs: sim.processingMs } : {}),
    ...(sim?.outputDir ? { stateFile: join(sim.outputDir, 'terminal-transactions.json') } : {}),
  });
  terminal.attach(link.device);
  const handle = { link, terminal };
  applyFaults(handle, sim?.faults ?? []);
  return handle;
}

export function createCardReaderSim(name: string, sim: SimConfig | undefined): SimHandle {
  const link = createSimLink(name);
  const cardReader = new CardReaderSimulator();
  cardReader.attach(link.device);
  const handle = { link, cardReader };
  applyFaults(handle, sim?.faults ?? []);
  return handle;
}

export function createLedSim(
  name: string,
  geometry: { width: number; height: number; colors: 1 | 2 },
  sim: SimConfig | undefined,
): SimHandle {
  const link = createSimLink(name);
  const led = new LedSimulator({ ...geometry, ...(sim?.outputDir ? { outputDir: sim.outputDir } : {}) });
  led.attach(link.device);
  const handle = { link, led };
  applyFaults(handle, sim?.faults ?? []);
  return handle;
}
