import type { FastifyInstance } from 'fastify';
import type { ServerPush } from '../../../protocol/schemas/channel.js';
import type { DeviceApiClient } from '../api-client.js';
import type { DeviceConfig } from '../config.js';
import type { ContentUnit } from '../content/content-unit.js';
import type { BusySignal } from '../fleet/busy-signal.js';
import type { DeviceIdentity } from '../identity/identity.js';
import type { Trust } from '../identity/trust.js';
import type { Logger } from '../logger.js';
import type { PeripheralEvents, Peripherals } from '../peripherals.js';
import type { LiveSettings } from '../settings/live-settings.js';
import type { StateLayout } from '../state/state-layout.js';

/** What every role gets from the runtime. */
export interface RoleContext {
  identity: DeviceIdentity;
  config: DeviceConfig;
  layout: StateLayout;
  api: DeviceApiClient;
  trust: Trust;
  /** Verified content, emergencies, what plays now, proof of play. */
  content: ContentUnit;
  /**
   * The role's peripherals, through their driver contracts. Live: a field is absent while its device is
   * missing and comes back when it is plugged in again (`peripheralEvents` says when).
   */
  peripherals: Peripherals;
  peripheralEvents?: PeripheralEvents;
  /** The settings in effect (remote configuration, issue 12); appliers and readers of each setting. */
  settings: LiveSettings;
  log: Logger;
  /** True while the channel to the control plane is up. */
  online: () => boolean;
  onLinkChange: (fn: (online: boolean) => void) => void;
  /** Signed-or-not pushes from the control plane (e.g. "a receipt to reprint"); each role acts on its kinds. */
  onPush?: (fn: (msg: ServerPush) => void) => void;
}

/** A role (lobby, led, kiosk): its local routes and its own start/stop (both idempotent). */
export interface RoleUnit {
  routes(app: FastifyInstance): Promise<void>;
  start(): Promise<void>;
  /** Once the local server listens (the lobby opens its page in a browser it launched itself). */
  afterListen?(url: string): Promise<void>;
  stop(): Promise<void>;
  health(): Record<string, unknown>;
  /**
   * What the role shows now, as PNGs, for the admin's screenshot command (lobby page, LED frame, kiosk UI).
   * The kiosk throws LINLI_ERR_SCREENSHOT_REFUSED while a payment screen shows card or amount data.
   */
  screenshot?(): Promise<{ kind: 'lobby' | 'led' | 'kiosk'; png: Buffer }[]>;
  /** Remote commands (issue 12): restart the screen browser; flash the screen or LED / beep the printer. */
  restartBrowser?(): Promise<void>;
  /** A resident is in the middle of a payment, booking or print (remote settings wait; fleet/). */
  readonly busy?: BusySignal;
  /** Resolves when identification started; may return notes for the result (e.g. `{ beep: 'skipped' }`). */
  identify?(seconds: number): Promise<void | Record<string, string | number | boolean>>;
  /** The kiosk: print the last receipt again (marked REPRINT); resolves with the receipt id. */
  reprintLastReceipt?(): Promise<string>;
}
