import { EventEmitter } from 'node:events';
import type { SettingKey, SettingValue } from '../../../protocol/schemas/device-settings.js';
import type { DeviceConfig } from '../config.js';
import type { LiveSettings } from '../settings/live-settings.js';

/** GET /kiosk/api/settings, and the `settings` event on /kiosk/api/events (docs/kiosk-local-api.md). */
export interface PageSettingsView {
  communityName: string;
  deviceName: string;
  timeZone: string;
  idle: { resetSec: number; warningSec: number };
  voice: { available: boolean; defaultOn: boolean };
  /** Voice prompt volume, percent. */
  audio: { volume: number };
  /** The language the page returns to after each resident. */
  ui: { defaultLanguage: 'zh' | 'en' };
  /** How the screen is mounted: the page rotates itself with CSS (a real panel may prefer the compositor). */
  screen: { orientation: SettingValue<'screen.orientation'> };
  attract: { afterSec: number };
}

/** The remote settings the kiosk page puts into effect itself. */
export const PAGE_KEYS = [
  'idle.resetSec',
  'audio.volume',
  'voice.enabled',
  'ui.defaultLanguage',
  'screen.orientation',
] as const satisfies readonly SettingKey[];
type PageKey = (typeof PAGE_KEYS)[number];

export interface KioskPageSettingsOptions {
  settings: LiveSettings;
  config: Pick<DeviceConfig, 'idle' | 'attract'>;
  voiceAvailable: () => Promise<boolean>;
  communityName: string;
  deviceName: string;
  timeZone: string;
}

/**
 * What the kiosk page is told about its settings. The page owns the effect of the page settings (idle
 * timer, voice volume and default, language after each resident, rotation), so their appliers here push
 * the new value to every open page (`change`, sent as a `settings` event); GET /kiosk/api/settings answers
 * the same view for a page that (re)loads.
 */
export class KioskPageSettings extends EventEmitter<{ change: [PageSettingsView] }> {
  readonly #o: KioskPageSettingsOptions;
  readonly #off: (() => void)[] = [];
  #voice: boolean | undefined;

  constructor(opts: KioskPageSettingsOptions) {
    super();
    this.#o = opts;
    for (const key of PAGE_KEYS) {
      this.#off.push(
        opts.settings.onApply(key, async (value) => {
          this.emit('change', await this.view({ [key]: value }));
        }),
      );
    }
  }

  /** The view, with `over` for a value being applied right now (not yet what `settings.get` answers). */
  async view(over: Partial<Record<PageKey, unknown>> = {}): Promise<PageSettingsView> {
    const get = <K extends PageKey>(k: K): SettingValue<K> =>
      (Object.hasOwn(over, k) ? over[k] : this.#o.settings.get(k)) as SettingValue<K>;
    this.#voice ??= await this.#o.voiceAvailable();
    const resetSec = get('idle.resetSec');
    return {
      communityName: this.#o.communityName,
      deviceName: this.#o.deviceName,
      timeZone: this.#o.timeZone,
      // device.json's warning may be longer than a remote timeout allows: keep at least 10 s before it.
      idle: { resetSec, warningSec: Math.max(5, Math.min(this.#o.config.idle.warningSec, resetSec - 10)) },
      voice: { available: this.#voice, defaultOn: get('voice.enabled') },
      audio: { volume: get('audio.volume') },
      ui: { defaultLanguage: get('ui.defaultLanguage') },
      screen: { orientation: get('screen.orientation') },
      attract: { afterSec: this.#o.config.attract.afterSec },
    };
  }

  close(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
