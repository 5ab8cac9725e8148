import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { PosDevice } from '../../device-drivers/contracts/device.js';
import type { DeviceManager, PeripheralKind, WantedPeripheral } from '../../device-drivers/index.js';
import type { DeviceRole } from '../../protocol/schemas/common.js';
import { PRINTER_PROFILE_IDS } from '../../protocol/schemas/device-settings.js';
import type { DeviceConfig } from './config.js';
import { HeldPeripheral } from './held-peripheral.js';
import { type Logger, silentLogger } from './logger.js';
import type { PeripheralEvents, PeripheralName, PeripheralProvider, Peripherals } from './peripherals.js';
import type { StateLayout } from './state/state-layout.js';

type DriverInput = { transport: { kind: string } & Record<string, unknown> } & Record<string, unknown>;

interface Wanted {
  name: PeripheralName;
  kind: PeripheralKind;
  cfg: DriverInput;
}

/** Device-manager ids follow its own pattern (lower-case, dashes); the role-facing names are camelCase. */
const ID: Record<PeripheralName, string> = {
  printer: 'printer',
  terminal: 'terminal',
  cardReader: 'card-reader',
  led: 'led',
};
const NAME_OF_ID = Object.fromEntries(Object.entries(ID).map(([n, id]) => [id, n])) as Record<
  string,
  PeripheralName
>;

/**
 * The printer profile remote configuration asked for (`printer.profile` of the last accepted target, in
 * state-layout `fleetConfig`): a driver's profile is fixed when it opens, so a new one takes effect here, at
 * the next start (the `reboot` command). Unreadable or unknown: device.json's profile stands.
 */
export function remotePrinterProfile(layout: Pick<StateLayout, 'fleetConfig'>): string | undefined {
  try {
    const state = JSON.parse(readFileSync(layout.fleetConfig, 'utf8')) as {
      accepted?: { settings?: Record<string, unknown> };
    };
    const v = state.accepted?.settings?.['printer.profile'];
    return typeof v === 'string' && (PRINTER_PROFILE_IDS as readonly string[]).includes(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** What each role needs; a card reader with transport "none" is a kiosk that takes account numbers only. */
function wantedFor(role: DeviceRole, config: DeviceConfig, layout: StateLayout): Wanted[] {
  const p = config.peripherals as Record<PeripheralName, DriverInput>;
  const sim = (cfg: DriverInput, outputDir: string): DriverInput =>
    cfg.transport.kind === 'sim' ? { ...cfg, sim: { outputDir, ...((cfg.sim as object) ?? {}) } } : cfg;
  if (role === 'kiosk') {
    const profile = remotePrinterProfile(layout);
    const printer = profile ? { ...p.printer, profile } : p.printer;
    return [
      { name: 'printer', kind: 'receipt-printer', cfg: sim(printer, layout.printer) },
      { name: 'terminal', kind: 'payment-terminal', cfg: sim(p.terminal, layout.terminal) },
      ...(p.cardReader.transport.kind === 'none'
        ? []
        : [{ name: 'cardReader' as const, kind: 'card-reader' as const, cfg: p.cardReader }]),
    ];
  }
  if (role === 'led') {
    const cfg = { width: config.led.width, height: config.led.height, ...sim(p.led, layout.led) };
    return [{ name: 'led', kind: 'led-controller', cfg }];
  }
  return [];
}

/**
 * Serial (a stable path) and USB (ids or a printer profile) devices can be unplugged and plugged in again:
 * the hotplug device manager watches for them. Simulators and network (tcp) devices are held open instead
 * and followed through their driver's own detach/attach (a simulated cable pulled, a terminal rebooting).
 */
const HOTPLUG = new Set(['serial', 'usb']);

function toWanted(w: Wanted): WantedPeripheral {
  const { transport, ...options } = w.cfg;
  const base = { id: ID[w.name], kind: w.kind, options };
  if (transport.kind === 'serial') {
    return {
      ...base,
      path: transport.path as string,
      ...(transport.baudRate !== undefined ? { baudRate: transport.baudRate as number } : {}),
    };
  }
  const { kind: _kind, ...ids } = transport;
  const profile = typeof options.profile === 'string' ? { profile: options.profile } : {};
  return { ...base, usb: { ...(ids as { vendorId?: number; productId?: number }), ...profile } };
}

/** The test and demo control for pulling a simulated cable (see `simulatedPlug`). */
export interface SimulatedPlug {
  /** The simulated peripherals this kiosk holds (those it can unplug). */
  readonly names: PeripheralName[];
  unplug(name: PeripheralName): boolean;
  replug(name: PeripheralName): boolean;
}
const plugs = new WeakMap<Peripherals, SimulatedPlug>();

/**
 * The simulated cables behind a provider's live `devices`, or undefined on real hardware. Keyed by the
 * devices object because a pulled device is no longer in it (getSimulator needs the device itself).
 */
export function simulatedPlug(devices: Peripherals): SimulatedPlug | undefined {
  return plugs.get(devices);
}

export interface DriverPeripheralsOptions {
  log?: Logger;
  /** Waits between attempts to claim a held (sim, tcp) device that is not there. */
  retryBaseMs?: number;
  retryCapMs?: number;
}

/**
 * Opens a role's peripherals and keeps `devices` live: kiosk → receipt printer, payment terminal and
 * resident-card reader; led → LED controller; lobby → none. A peripheral that is missing at boot or goes
 * later never stops the runtime: its field is absent while it is gone, set again when it comes back, and
 * every change is emitted as `change` on `events`. Driver configs from device.json go to the factory as
 * given; it validates them and names any bad parameter (DeviceError DEVICE_INVALID_ARGUMENT), which does
 * stop start-up, because a typo needs a person and not a retry.
 */
export function driverPeripherals(
  config: DeviceConfig,
  opts: DriverPeripheralsOptions = {},
): PeripheralProvider {
  const log = (opts.log ?? silentLogger).child({ component: 'peripherals' });
  return async (role, layout) => {
    const devices: Peripherals = {};
    const events: PeripheralEvents = new EventEmitter();
    const wanted = wantedFor(role, config, layout);
    // The factory (and every driver behind it) loads only for a role that has peripherals: not on a lobby.
    if (wanted.length === 0) return { devices, events, close: async () => {} };
    const drivers = await import('../../device-drivers/index.js');
    const set = (name: PeripheralName, device: PosDevice | undefined) => {
      if ((devices[name] as PosDevice | undefined) === device) return;
      if (device) (devices as Record<string, PosDevice>)[name] = device;
      else delete devices[name];
      log.info(
        { peripheral: name, present: Boolean(device), address: device?.info.address },
        device ? `peripherals: the ${name} is connected` : `peripherals: the ${name} is gone`,
      );
      events.emit('change', name);
    };

    const hot = wanted.filter((w) => HOTPLUG.has(w.cfg.transport.kind));
    let manager: DeviceManager | undefined;
    if (hot.length > 0) {
      manager = drivers.createDeviceManager({ peripherals: hot.map(toWanted) });
      manager.on('attached', (e) => set(NAME_OF_ID[e.id]!, e.device));
      manager.on('detached', (e) => set(NAME_OF_ID[e.id]!, undefined));
      manager.on('error', (e) =>
        log.warn(
          { peripheral: NAME_OF_ID[e.id], code: e.error.code, address: e.address, willRetry: e.willRetry },
          `peripherals: the ${NAME_OF_ID[e.id]} is plugged in but did not start (${e.error.message})`,
        ),
      );
    }
    const held = wanted
      .filter((w) => !HOTPLUG.has(w.cfg.transport.kind))
      .map(
        (w) =>
          new HeldPeripheral({
            name: w.name,
            create: () => createDriver(drivers, w),
            onChange: (d) => set(w.name, d),
            simOf: (d) => drivers.getSimulator(d),
            log,
            retryBaseMs: opts.retryBaseMs ?? 500,
            retryCapMs: opts.retryCapMs ?? 30_000,
          }),
      );
    const close = async () => {
      await manager?.stop();
      for (const h of held.reverse()) await h.stop();
    };
    try {
      // Bad configs throw here (nothing to retry); a device that is not there only logs and waits.
      for (const h of held) await h.start();
      await manager?.start();
    } catch (err) {
      await close();
      throw err;
    }
    const sims = held.filter((h) => h.simulated);
    if (sims.length > 0) {
      plugs.set(devices, {
        names: sims.map((h) => h.name),
        unplug: (name) => sims.find((h) => h.name === name)?.setPlugged(false) ?? false,
        replug: (name) => sims.find((h) => h.name === name)?.setPlugged(true) ?? false,
      });
    }
    return { devices, events, close };
  };
}

type Drivers = typeof import('../../device-drivers/index.js');

function createDriver(d: Drivers, w: Wanted): Promise<PosDevice> {
  const cfg = w.cfg as never;
  switch (w.kind) {
    case 'receipt-printer':
      return d.createReceiptPrinter(cfg);
    case 'payment-terminal':
      return d.createPaymentTerminal(cfg);
    case 'card-reader':
      return d.createCardReader(cfg);
    default:
      return d.createLedController(cfg);
  }
}
