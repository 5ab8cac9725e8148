import { EventEmitter } from 'node:events';
import { ErrorCode, isLinliError, LinliError } from '../../../protocol/errors.js';
import {
  type DeviceSettings,
  defaultSettings,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
  type SettingValue,
} from '../../../protocol/schemas/device-settings.js';
import { isValid } from '../../../protocol/validate.js';
import type { DeviceConfig } from '../config.js';

/** Puts one setting into effect on the device (LED brightness on the controller, a printer profile). */
export type SettingApplier<K extends SettingKey = SettingKey> = (
  value: SettingValue<K>,
  previous: SettingValue<K>,
) => void | Promise<void>;

interface Overlay {
  value: unknown;
  until: number;
  timer: NodeJS.Timeout;
}

/**
 * The settings in effect on this device (issue 12), one value per key of protocol/schemas/device-settings.ts.
 * Starts from the local device.json (its equivalent options) over the defaults; the reconcile executor
 * (`kiosk/src/fleet/`) moves it to the control plane's target through `apply`, and a command may lay a
 * temporary value over one key (`overlay`, e.g. volume for an hour). Whoever owns a setting's effect
 * registers an applier; readers call `get` and listen to `change`.
 */
export class LiveSettings extends EventEmitter<{ change: [SettingKey[]] }> {
  #base: DeviceSettings;
  readonly #appliers = new Map<SettingKey, SettingApplier[]>();
  readonly #overlays = new Map<SettingKey, Overlay>();
  readonly #now: () => number;

  constructor(initial: DeviceSettings = defaultSettings(), now: () => number = Date.now) {
    super();
    this.#base = structuredClone(initial);
    this.#now = now;
  }

  /** The value in effect: a live temporary overlay, else the applied one. */
  get<K extends SettingKey>(key: K): SettingValue<K> {
    const o = this.#overlays.get(key);
    if (o && o.until > this.#now()) return structuredClone(o.value) as SettingValue<K>;
    return structuredClone(this.#base[key]);
  }

  /** The applied values (without overlays): what the device reports as `current`. */
  applied(): DeviceSettings {
    return structuredClone(this.#base);
  }

  /** Registers who puts `key` into effect; returns an unregister function (a role that stops calls it). */
  onApply<K extends SettingKey>(key: K, fn: SettingApplier<K>): () => void {
    const list = this.#appliers.get(key) ?? [];
    list.push(fn as SettingApplier);
    this.#appliers.set(key, list);
    return () => {
      const l = this.#appliers.get(key);
      if (l) l.splice(l.indexOf(fn as SettingApplier), 1);
    };
  }

  /**
   * Validates `value`, runs the appliers, and only if all succeed makes it the applied value. A failure
   * leaves the old value in effect and throws a LinliError with its code (CONFIG_INVALID for a bad value).
   */
  async apply<K extends SettingKey>(key: K, value: SettingValue<K>): Promise<void> {
    if (!isValid(SETTINGS[key].schema, value)) {
      throw new LinliError(ErrorCode.CONFIG_INVALID, `setting ${key}: value does not match its schema`, {
        field: key,
      });
    }
    const previous = this.#base[key];
    if (JSON.stringify(previous) === JSON.stringify(value)) return;
    // An overlay hides the base value: appliers run again when it ends.
    if (!this.#overlayLive(key)) await this.#runAppliers(key, value, previous);
    this.#base = { ...this.#base, [key]: structuredClone(value) };
    this.emit('change', [key]);
  }

  /** A temporary value for `forMs` (a command's "volume for an hour"); then the applied value returns. */
  async overlay<K extends SettingKey>(key: K, value: SettingValue<K>, forMs: number): Promise<void> {
    if (!isValid(SETTINGS[key].schema, value)) {
      throw new LinliError(ErrorCode.CONFIG_INVALID, `setting ${key}: value does not match its schema`, {
        field: key,
      });
    }
    const previous = this.get(key);
    await this.#runAppliers(key, value, previous);
    this.#clearOverlay(key);
    const timer = setTimeout(() => void this.#endOverlay(key), forMs);
    timer.unref();
    this.#overlays.set(key, { value: structuredClone(value), until: this.#now() + forMs, timer });
    this.emit('change', [key]);
  }

  /** Ends every overlay (stop()). */
  close(): void {
    for (const key of [...this.#overlays.keys()]) this.#clearOverlay(key);
  }

  async #endOverlay(key: SettingKey): Promise<void> {
    const o = this.#overlays.get(key);
    if (!o) return;
    this.#clearOverlay(key);
    try {
      await this.#runAppliers(key, this.#base[key], o.value as never);
    } catch {
      // The applier logs its own failure; the applied value stays what get() answers.
    }
    this.emit('change', [key]);
  }

  #overlayLive(key: SettingKey): boolean {
    const o = this.#overlays.get(key);
    return o !== undefined && o.until > this.#now();
  }

  #clearOverlay(key: SettingKey): void {
    const o = this.#overlays.get(key);
    if (o) clearTimeout(o.timer);
    this.#overlays.delete(key);
  }

  async #runAppliers(key: SettingKey, value: unknown, previous: unknown): Promise<void> {
    for (const fn of this.#appliers.get(key) ?? []) {
      try {
        await fn(value as never, previous as never);
      } catch (err) {
        if (isLinliError(err)) throw err;
        throw new LinliError(ErrorCode.CONFIG_APPLY_FAILED, `setting ${key}: ${(err as Error).message}`, {
          field: key,
        });
      }
    }
  }
}

/** The local device.json's options that are also remote settings, over the defaults. */
export function settingsFromLocalConfig(config: DeviceConfig): DeviceSettings {
  const s = defaultSettings();
  s['idle.resetSec'] = config.idle.resetSec;
  s['voice.enabled'] = config.voice.defaultOn;
  s['led.brightness'] = structuredClone(config.led.brightness);
  s['content.pollIntervalSec'] = Math.max(10, Math.round(config.content.pollIntervalMs / 1000));
  s['content.pollIntervalOnlineSec'] = Math.max(10, Math.round(config.content.pollIntervalOnlineMs / 1000));
  s['log.level'] = config.logLevel as DeviceSettings['log.level'];
  // The profile the printer driver is opened with: a remote value other than this needs a restart.
  const printer = (config.peripherals as { printer?: { profile?: unknown } } | undefined)?.printer;
  if (typeof printer?.profile === 'string') {
    s['printer.profile'] = printer.profile as DeviceSettings['printer.profile'];
  }
  s['payment.methods'] = [...config.payment.methods];
  for (const k of SETTING_KEYS) {
    if (!isValid(SETTINGS[k].schema, s[k])) (s as Record<string, unknown>)[k] = SETTINGS[k].schema.default;
  }
  return s;
}
