import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { PosDevice, StatusEvent } from '../../../device-drivers/contracts/device.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import {
  BrowserHealth,
  type DeviceHealth,
  type DeviceHealthPeripherals,
} from '../../../protocol/schemas/device-health.js';
import { isValid } from '../../../protocol/validate.js';
import type { Logger } from '../logger.js';
import type { PeripheralEvents, PeripheralName, Peripherals } from '../peripherals.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { LedAckCounter } from './led-acks.js';
import {
  cardReaderHealth,
  ledHealth,
  type PrinterFlags,
  printerHealth,
  terminalHealth,
} from './peripheral-health.js';

const DEBOUNCE_MS = 500;
const SETTING = 'health.reportIntervalSec';

export interface HealthReporterOptions {
  role: DeviceRole;
  /** The peripherals this device's role uses (a missing one is reported `present: false`). */
  expected: readonly PeripheralName[];
  /** Live: a field is absent while its device is missing (`events` says when it changes). */
  peripherals: Peripherals;
  events?: PeripheralEvents;
  settings: LiveSettings;
  stateDir: string;
  /** The role's own health (`browser`, `unknownPayments` when it reports them). */
  roleHealth: () => Record<string, unknown>;
  /** Sends on the channel; false when it is not open (the next welcome reports again). */
  send: (msg: DeviceHealth) => boolean;
  acks?: LedAckCounter;
  log: Logger;
  debounceMs?: number;
  now?: () => number;
}

type Listener = (...args: unknown[]) => void;

/** The peripherals a role uses: kiosk → printer, terminal (and the card reader when configured), led → led. */
export function expectedPeripherals(role: DeviceRole, cardReaderConfigured: boolean): PeripheralName[] {
  if (role === 'kiosk')
    return cardReaderConfigured ? ['printer', 'terminal', 'cardReader'] : ['printer', 'terminal'];
  if (role === 'led') return ['led'];
  return [];
}

export const RUNTIME_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version.slice(0, 64) : 'unknown';
  } catch {
    return 'unknown';
  }
})();

/**
 * Reports the device's health on the channel: on every change of a peripheral (driver `status`, `error`,
 * `attached`, `detached`; one appearing or going), debounced so a burst of events is one message, and every
 * `health.reportIntervalSec` as the heartbeat (re-read when the setting changes). start()/stop() idempotent.
 */
export class HealthReporter {
  readonly #o: HealthReporterOptions;
  readonly acks: LedAckCounter;
  readonly #now: () => number;
  /** The driver instance each peripheral's listeners are on, to move them when it is replaced. */
  readonly #watched = new Map<
    PeripheralName,
    { device: PosDevice<never>; listeners: [string, Listener][] }
  >();
  #printerFlags: PrinterFlags = {};
  #skewMs: number | null = null;
  #debounce: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #running = false;
  #sending: Promise<void> | undefined;
  /** The last message sent, for tests and the local /health page. */
  last: DeviceHealth | undefined;

  constructor(o: HealthReporterOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.acks = o.acks ?? new LedAckCounter();
  }

  readonly #onPeripheralChange = (name: PeripheralName): void => {
    this.#watch(name);
    this.changed();
  };

  readonly #onSetting = (keys: string[]): void => {
    if (keys.includes(SETTING)) this.#armHeartbeat();
  };

  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const name of this.#o.expected) this.#watch(name);
    this.#o.events?.on('change', this.#onPeripheralChange);
    this.#o.settings.on('change', this.#onSetting);
    this.#armHeartbeat();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#debounce);
    clearTimeout(this.#heartbeat);
    this.#o.events?.off('change', this.#onPeripheralChange);
    this.#o.settings.off('change', this.#onSetting);
    for (const name of [...this.#watched.keys()]) this.#unwatch(name);
  }

  /** The channel's welcome: the server's clock, and a fresh report for the (re)connected control plane. */
  welcomed(serverTime: string): void {
    const server = Date.parse(serverTime);
    if (Number.isFinite(server)) this.#skewMs = Math.round(this.#now() - server);
    this.changed(0);
  }

  /** Something changed: report after the debounce (a burst of driver events is one message). */
  changed(delayMs = this.#o.debounceMs ?? DEBOUNCE_MS): void {
    if (!this.#running) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.report(), delayMs);
    this.#debounce.unref();
  }

  /** Builds the report now and sends it (one at a time; a report asked for meanwhile follows it). */
  async report(): Promise<DeviceHealth | undefined> {
    while (this.#sending) await this.#sending;
    let msg: DeviceHealth | undefined;
    this.#sending = (async () => {
      msg = await this.snapshot();
      if (!this.#running) return;
      if (this.#o.send(msg)) this.last = msg;
    })().finally(() => {
      this.#sending = undefined;
    });
    await this.#sending;
    return msg;
  }

  async snapshot(): Promise<DeviceHealth> {
    const p = this.#o.peripherals;
    const peripherals: DeviceHealthPeripherals = {};
    for (const name of this.#o.expected) {
      if (name === 'printer') peripherals.printer = printerHealth(p.printer, this.#printerFlags);
      else if (name === 'terminal') peripherals.terminal = terminalHealth(p.terminal);
      else if (name === 'cardReader') peripherals.cardReader = cardReaderHealth(p.cardReader);
      else peripherals.led = ledHealth(p.led, this.acks);
    }
    const role = safe(this.#o.roleHealth);
    const disk = await diskOf(this.#o.stateDir);
    const unknown = role.unknownPayments;
    return {
      type: 'health',
      at: new Date(this.#now()).toISOString(),
      runtimeVersion: RUNTIME_VERSION,
      uptimeSec: Math.floor(process.uptime()),
      peripherals,
      ...(isValid(BrowserHealth, role.browser) ? { browser: role.browser } : {}),
      diskFreeBytes: disk?.free ?? null,
      diskTotalBytes: disk?.total ?? null,
      clockSkewMs: this.#skewMs,
      unknownPayments: typeof unknown === 'number' && Number.isInteger(unknown) && unknown >= 0 ? unknown : 0,
    };
  }

  #armHeartbeat(): void {
    clearTimeout(this.#heartbeat);
    if (!this.#running) return;
    const sec = this.#o.settings.get(SETTING);
    this.#heartbeat = setTimeout(() => {
      void this.#poll().then(() => this.report());
      this.#armHeartbeat();
    }, sec * 1000);
    this.#heartbeat.unref();
  }

  /** Asks the printer for its flags now (DLE EOT) rather than trusting that every change was announced. */
  async #poll(): Promise<void> {
    const printer = this.#o.peripherals.printer;
    if (!printer || printer.power === 'off') return;
    try {
      this.#printerFlags = { ...(await printer.queryStatus()) };
    } catch {
      // Unanswered: the driver reports the device offline through its own status events.
    }
  }

  #watch(name: PeripheralName): void {
    const device = this.#o.peripherals[name] as PosDevice<never> | undefined;
    const current = this.#watched.get(name);
    if (current?.device === device) return;
    this.#unwatch(name);
    if (!device) {
      if (name === 'printer') this.#printerFlags = {};
      return;
    }
    const listeners: [string, Listener][] = [
      ['status', (e) => this.#onStatus(name, e as StatusEvent)],
      ['error', () => this.changed()],
      ['attached', () => this.changed()],
      ['detached', () => this.changed()],
    ];
    for (const [event, fn] of listeners) device.on(event as never, fn as never);
    this.#watched.set(name, { device, listeners });
    if (name === 'printer') {
      // What the driver already knows (ESC/POS drivers keep their last flags), then ask.
      const known = (device as { statusFlags?: PrinterFlags }).statusFlags;
      this.#printerFlags = known ? { ...known } : {};
      void this.#poll().then(() => this.changed());
    }
  }

  #unwatch(name: PeripheralName): void {
    const w = this.#watched.get(name);
    if (!w) return;
    for (const [event, fn] of w.listeners) w.device.off(event as never, fn as never);
    this.#watched.delete(name);
  }

  #onStatus(name: PeripheralName, e: StatusEvent): void {
    if (name === 'printer' && e?.flags) this.#printerFlags = { ...this.#printerFlags, ...e.flags };
    this.changed();
  }
}

function safe(fn: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return fn() ?? {};
  } catch {
    return {};
  }
}

async function diskOf(dir: string): Promise<{ free: number; total: number } | undefined> {
  try {
    const s = await statfs(dir);
    return {
      free: Math.min(s.bavail * s.bsize, Number.MAX_SAFE_INTEGER),
      total: Math.min(s.blocks * s.bsize, Number.MAX_SAFE_INTEGER),
    };
  } catch {
    return undefined;
  }
}
