/**
 * The factory: the only module kiosk/ and signage/ import besides contracts/. Every config passes one TypeBox
 * schema (config/schema.ts); `{transport: {kind: 'sim'}}` loads a simulator with import(), so production never
 * loads simulator code; `getSimulator(device)` reaches it for fault injection.
 */
import type { Static } from '@sinclair/typebox';
import { parseCardText } from './card-reader/card-parser.js';
import { SerialCardReader } from './card-reader/card-reader-driver.js';
import type { PeripheralKind } from './config/device-manager-schema.js';
import {
  CardReaderConfig,
  LedControllerConfig,
  PaymentTerminalConfig,
  ReceiptPrinterConfig,
  type SimConfig,
  type TransportConfig,
} from './config/schema.js';
import { validateConfig } from './config/validate.js';
import { validateDeviceManagerConfig } from './config/validate-manager.js';
import type { CardRead, CardReader } from './contracts/card-reader.js';
import type { PosDevice } from './contracts/device.js';
import { DeviceError, DeviceErrorCode } from './contracts/device-error.js';
import type { LedController } from './contracts/led-controller.js';
import type { PaymentTerminal } from './contracts/payment-terminal.js';
import type { ReceiptPrinter } from './contracts/receipt-printer.js';
import type { Transport } from './contracts/transport.js';
import { DeviceManager } from './discovery/device-manager.js';
import type { UsbBackend } from './discovery/usb-backend.js';
import { AlphaLedController } from './led-controller/alpha-led-controller.js';
import { PaymentTerminalDriver } from './payment-terminal/terminal-driver.js';
import { EscPosPrinter } from './receipt-printer/escpos-printer.js';
import { PRINTER_PROFILES, type PrinterProfile, printerProfile } from './receipt-printer/profiles.js';
import { registerSimulator } from './sim-registry.js';
import { createTransport, type SerialDefaults } from './transports/create-transport.js';

export type {
  DeviceManagerConfig,
  PeripheralKind,
  WantedPeripheral,
} from './config/device-manager-schema.js';
export type { SimFault } from './config/schema.js';
export { SIM_FAULTS } from './config/schema.js';
export type {
  AttachedEvent,
  DetachedEvent,
  DeviceManager,
  DeviceManagerEvents,
  ManagedState,
  ManagedStatus,
  ManagerErrorEvent,
} from './discovery/device-manager.js';
export { libusbBackend, type UsbBackend, type UsbDeviceRef } from './discovery/usb-backend.js';
export type { PrinterProfile } from './receipt-printer/profiles.js';
export { PRINTER_PROFILES } from './receipt-printer/profiles.js';
export { getSimulator, type SimHandle } from './sim-registry.js';

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
type SimInput = Partial<SimConfig>;
type WithSim<T> = Omit<T, 'sim'> & { sim?: SimInput };

export type ReceiptPrinterOptions = WithSim<
  Optional<
    Static<typeof ReceiptPrinterConfig>,
    'profile' | 'claimTimeoutMs' | 'statusTimeoutMs' | 'printTimeoutMs' | 'recoveryTimeoutMs'
  >
>;
export type PaymentTerminalOptions = WithSim<
  Optional<
    Static<typeof PaymentTerminalConfig>,
    'profile' | 'claimTimeoutMs' | 'paymentTimeoutMs' | 'statusTimeoutMs'
  >
>;
export type CardReaderOptions = WithSim<
  Optional<Static<typeof CardReaderConfig>, 'profile' | 'claimTimeoutMs'>
>;
export type LedControllerOptions = WithSim<
  Optional<
    Static<typeof LedControllerConfig>,
    'profile' | 'claimTimeoutMs' | 'width' | 'height' | 'colors' | 'address' | 'ackTimeoutMs' | 'retries'
  >
>;
export type { TransportConfig };

function unknownProfile(param: string, known: readonly string[], actual: string): DeviceError {
  return new DeviceError(
    DeviceErrorCode.INVALID_ARGUMENT,
    `Invalid config: expected one of ${known.map((k) => `'${k}'`).join(', ')} for ${param} but received ${JSON.stringify(actual)}`,
    { param },
  );
}

function simName(t: TransportConfig, fallback: string): string {
  return t.kind === 'sim' ? (t.name ?? fallback) : fallback;
}

/**
 * For composition (the device manager, tests): a transport made elsewhere for the configured address, e.g. the
 * USB backend's transport for the exact device that was plugged in. The config is still validated as given.
 */
export interface DriverDeps {
  readonly transport?: Transport;
}

async function transportFor(
  t: TransportConfig,
  serial: SerialDefaults,
  deps: DriverDeps,
): Promise<Transport | undefined> {
  if (t.kind === 'sim') return undefined;
  return deps.transport ?? createTransport(t, serial);
}

export async function createReceiptPrinter(
  options: ReceiptPrinterOptions,
  deps: DriverDeps = {},
): Promise<ReceiptPrinter> {
  const cfg = validateConfig<Static<typeof ReceiptPrinterConfig>>(
    'receipt printer',
    ReceiptPrinterConfig,
    options,
  );
  const profile: PrinterProfile | undefined = printerProfile(cfg.profile);
  if (!profile)
    throw unknownProfile(
      'profile',
      PRINTER_PROFILES.map((p) => p.id),
      cfg.profile,
    );
  const common = {
    profile,
    supervisor: { claimTimeoutMs: cfg.claimTimeoutMs },
    ...(cfg.name ? { name: cfg.name } : {}),
    statusTimeoutMs: cfg.statusTimeoutMs,
    printTimeoutMs: cfg.printTimeoutMs,
    recoveryTimeoutMs: cfg.recoveryTimeoutMs,
  };
  const real = await transportFor(cfg.transport, { baudRate: profile.defaultBaudRate }, deps);
  if (real) return new EscPosPrinter({ ...common, transport: real });
  const { createPrinterSim } = await import('./sim/create-sims.js');
  const handle = createPrinterSim(simName(cfg.transport, 'receipt-printer'), profile, cfg.sim);
  const printer = new EscPosPrinter({ ...common, transport: handle.link.host });
  registerSimulator(printer, handle);
  return printer;
}

export async function createPaymentTerminal(
  options: PaymentTerminalOptions,
  deps: DriverDeps = {},
): Promise<PaymentTerminal> {
  const cfg = validateConfig<Static<typeof PaymentTerminalConfig>>(
    'payment terminal',
    PaymentTerminalConfig,
    options,
  );
  if (cfg.profile !== 'linli-ecr') throw unknownProfile('profile', ['linli-ecr'], cfg.profile);
  const common = {
    supervisor: { claimTimeoutMs: cfg.claimTimeoutMs },
    ...(cfg.name ? { name: cfg.name } : {}),
    paymentTimeoutMs: cfg.paymentTimeoutMs,
    statusTimeoutMs: cfg.statusTimeoutMs,
  };
  const real = await transportFor(cfg.transport, { baudRate: cfg.baudRate ?? 115200 }, deps);
  if (real) return new PaymentTerminalDriver({ ...common, transport: real });
  const { createTerminalSim } = await import('./sim/create-sims.js');
  const handle = createTerminalSim(simName(cfg.transport, 'payment-terminal'), cfg.sim);
  const terminal = new PaymentTerminalDriver({
    ...common,
    transport: handle.link.host,
    vendor: 'Linli',
    model: 'simulated terminal',
  });
  registerSimulator(terminal, handle);
  return terminal;
}

export async function createCardReader(
  options: CardReaderOptions,
  deps: DriverDeps = {},
): Promise<CardReader> {
  const cfg = validateConfig<Static<typeof CardReaderConfig>>('card reader', CardReaderConfig, options);
  if (cfg.profile !== 'serial-card-reader')
    throw unknownProfile('profile', ['serial-card-reader'], cfg.profile);
  const name = {
    supervisor: { claimTimeoutMs: cfg.claimTimeoutMs },
    ...(cfg.name ? { name: cfg.name } : {}),
  };
  const real = await transportFor(cfg.transport, { baudRate: 9600 }, deps);
  if (real) return new SerialCardReader({ ...name, transport: real });
  const { createCardReaderSim } = await import('./sim/create-sims.js');
  const handle = createCardReaderSim(simName(cfg.transport, 'card-reader'), cfg.sim);
  const reader = new SerialCardReader({ ...name, transport: handle.link.host });
  registerSimulator(reader, handle);
  return reader;
}

export async function createLedController(
  options: LedControllerOptions,
  deps: DriverDeps = {},
): Promise<LedController> {
  const cfg = validateConfig<Static<typeof LedControllerConfig>>(
    'LED controller',
    LedControllerConfig,
    options,
  );
  if (cfg.profile !== 'alpha') throw unknownProfile('profile', ['alpha'], cfg.profile);
  const common = {
    width: cfg.width,
    height: cfg.height,
    colors: cfg.colors,
    address: cfg.address.toUpperCase(),
    ackTimeoutMs: cfg.ackTimeoutMs,
    retries: cfg.retries,
    supervisor: { claimTimeoutMs: cfg.claimTimeoutMs },
    ...(cfg.name ? { name: cfg.name } : {}),
  };
  // Alpha signs ship at 9600 baud, 7 data bits, even parity, 2 stop bits.
  const real = await transportFor(
    cfg.transport,
    {
      baudRate: 9600,
      dataBits: 7,
      parity: 'even',
      stopBits: 2,
    },
    deps,
  );
  if (real) return new AlphaLedController({ ...common, transport: real });
  const { createLedSim } = await import('./sim/create-sims.js');
  const handle = createLedSim(simName(cfg.transport, 'led-controller'), common, cfg.sim);
  const led = new AlphaLedController({ ...common, transport: handle.link.host });
  registerSimulator(led, handle);
  return led;
}

/** open → claim → enable in one call, the usual start-up; idempotent like each step. */
export async function startDevice(
  device: PosDevice<never> | PosDevice,
  claimTimeoutMs?: number,
): Promise<void> {
  await device.open();
  await device.claim(claimTimeoutMs);
  await device.enable();
}

/**
 * Keyboard-wedge card readers type into the kiosk page; the page hands the typed line here and gets the same
 * strict parse as serial readers (throws DeviceError PROTOCOL / UNSUPPORTED for bank cards).
 */
export function parseCardInput(text: string): CardRead {
  return parseCardText(text);
}

export interface DeviceManagerDeps {
  /** USB backend; default libusb (hotplug where /sys/bus/usb exists, polling elsewhere). */
  readonly usb?: UsbBackend;
}

/**
 * A device manager for the wanted peripherals: it opens each driver (open → claim → enable) when its device
 * appears, closes it when the device goes, and opens a fresh one on replug, reporting `attached`, `detached`
 * and `error`. The config is validated here, driver options included (DeviceError INVALID_ARGUMENT naming
 * `peripherals.N.field`); nothing is touched until `start()`.
 *
 *   const devices = createDeviceManager({ peripherals: [
 *     { id: 'printer', kind: 'receipt-printer', usb: { profile: 'cn-80mm' } },
 *     { id: 'terminal', kind: 'payment-terminal', path: '/dev/serial/by-id/usb-FTDI_FT232R_A1B2-if00-port0' },
 *   ] });
 *   devices.on('attached', ({ id }) => ...);
 *   await devices.start();
 *   devices.get<ReceiptPrinter>('printer')?.print(job);
 */
export function createDeviceManager(config: unknown, deps: DeviceManagerDeps = {}): DeviceManager {
  const cfg = validateDeviceManagerConfig(config);
  return new DeviceManager(cfg, openDriver, deps.usb ? { backend: deps.usb } : {});
}

async function openDriver(
  kind: PeripheralKind,
  options: Record<string, unknown>,
  transport: Transport | undefined,
): Promise<PosDevice> {
  const deps = transport ? { transport } : {};
  const device: PosDevice =
    kind === 'receipt-printer'
      ? await createReceiptPrinter(options as unknown as ReceiptPrinterOptions, deps)
      : kind === 'payment-terminal'
        ? await createPaymentTerminal(options as unknown as PaymentTerminalOptions, deps)
        : kind === 'card-reader'
          ? await createCardReader(options as unknown as CardReaderOptions, deps)
          : await createLedController(options as unknown as LedControllerOptions, deps);
  try {
    await startDevice(device);
  } catch (err) {
    await device.close().catch(() => undefined);
    throw err;
  }
  return device;
}
