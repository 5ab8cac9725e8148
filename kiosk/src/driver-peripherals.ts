import type {
  CardReaderOptions,
  LedControllerOptions,
  PaymentTerminalOptions,
  ReceiptPrinterOptions,
} from '../../device-drivers/index.js';
import type { DeviceConfig } from './config.js';
import type { PeripheralProvider, Peripherals } from './peripherals.js';

type DriverInput = { transport: { kind: string }; sim?: Record<string, unknown> } & Record<string, unknown>;

/** Simulators write what they "print" or "show" under the state dir, unless the config says otherwise. */
function withSimOutput(cfg: DriverInput, outputDir: string): DriverInput {
  if (cfg.transport.kind !== 'sim') return cfg;
  return { ...cfg, sim: { outputDir, ...(cfg.sim ?? {}) } };
}

/**
 * Opens each role's peripherals through the device-drivers factory (contracts only from here on):
 * kiosk → receipt printer + payment terminal + resident-card reader, led → LED controller, lobby → none.
 * Driver configs from device.json are passed through as given: the factory validates them against its own
 * schema and names any bad parameter (DeviceError DEVICE_INVALID_ARGUMENT).
 */
export function driverPeripherals(config: DeviceConfig): PeripheralProvider {
  const p = config.peripherals as Record<'printer' | 'terminal' | 'led' | 'cardReader', DriverInput>;
  return async (role, layout) => {
    const devices: Peripherals = {};
    const opened: { close(): Promise<void> }[] = [];
    const close = async () => {
      for (const d of opened.reverse()) await d.close().catch(() => {});
    };
    // The factory (and every driver behind it) loads only for a role that has peripherals: not on a lobby screen.
    if (role === 'lobby') return { devices, close };
    const {
      createCardReader,
      createLedController,
      createPaymentTerminal,
      createReceiptPrinter,
      startDevice,
    } = await import('../../device-drivers/index.js');
    try {
      if (role === 'kiosk') {
        const printer = await createReceiptPrinter(
          withSimOutput(p.printer, layout.printer) as ReceiptPrinterOptions,
        );
        opened.push(printer);
        await startDevice(printer);
        const terminal = await createPaymentTerminal(
          withSimOutput(p.terminal, layout.terminal) as PaymentTerminalOptions,
        );
        opened.push(terminal);
        await startDevice(terminal);
        Object.assign(devices, { printer, terminal });
        if (p.cardReader.transport.kind !== 'none') {
          const cardReader = await createCardReader(p.cardReader as CardReaderOptions);
          opened.push(cardReader);
          await startDevice(cardReader);
          devices.cardReader = cardReader;
        }
      } else if (role === 'led') {
        const led = await createLedController({
          width: config.led.width,
          height: config.led.height,
          ...withSimOutput(p.led, layout.led),
        } as LedControllerOptions);
        opened.push(led);
        await startDevice(led);
        devices.led = led;
      }
    } catch (err) {
      await close();
      throw err;
    }
    return { devices, close };
  };
}
