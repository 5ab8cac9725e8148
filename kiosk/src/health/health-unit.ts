import type { DeviceHealth, EmergencyAck } from '../../../protocol/schemas/device-health.js';
import type { DeviceChannel } from '../channel/device-channel.js';
import type { DeviceConfig } from '../config.js';
import type { ContentUnit } from '../content/content-unit.js';
import type { DeviceIdentity } from '../identity/identity.js';
import type { Logger } from '../logger.js';
import type { PeripheralEvents, Peripherals } from '../peripherals.js';
import type { LiveSettings } from '../settings/live-settings.js';
import { EmergencyAcker } from './emergency-acks.js';
import { expectedPeripherals, HealthReporter } from './health-reporter.js';
import { LedAckCounter, withLedAcks } from './led-acks.js';

export interface HealthUnit {
  reporter: HealthReporter;
  acker: EmergencyAcker;
  /** The peripherals to hand the role: the LED controller's calls counted (ACK/NAK/timeout). */
  peripherals: Peripherals;
  /** Once the role exists: its own health (browser, unknown payments) joins the report. */
  start(roleHealth: () => Record<string, unknown>): void;
  stop(): void;
}

/**
 * The device's health side (issue 12): the reporter and the emergency acknowledgements, both on the channel.
 * The runtime makes it before the role (so the role gets the counted peripherals) and starts it after.
 */
export function createHealthUnit(o: {
  identity: DeviceIdentity;
  config: DeviceConfig;
  stateDir: string;
  devices: Peripherals;
  events?: PeripheralEvents;
  settings: LiveSettings;
  channel: DeviceChannel;
  content: ContentUnit;
  log: Logger;
}): HealthUnit {
  const send = (msg: DeviceHealth | EmergencyAck) => o.channel.send(msg);
  let roleHealth: () => Record<string, unknown> = () => ({});
  const acks = new LedAckCounter(() => reporter.changed());
  const cardReader = (o.config.peripherals as { cardReader?: { transport?: { kind?: string } } }).cardReader;
  const reporter = new HealthReporter({
    role: o.identity.role,
    expected: expectedPeripherals(o.identity.role, cardReader?.transport?.kind !== 'none'),
    peripherals: o.devices,
    ...(o.events ? { events: o.events } : {}),
    settings: o.settings,
    stateDir: o.stateDir,
    roleHealth: () => roleHealth(),
    send,
    acks,
    log: o.log,
  });
  const acker = new EmergencyAcker({ active: () => o.content.emergencies.active(), send });
  const onWelcome = (w: { serverTime: string }) => {
    reporter.welcomed(w.serverTime);
    acker.welcomed();
  };
  const onShown = () => acker.check();
  let started = false;
  return {
    reporter,
    acker,
    // Only an LED sign's controller is counted; other roles get their live peripherals as they are (the
    // simulated plug controls find them by identity).
    peripherals: o.identity.role === 'led' ? withLedAcks(o.devices, acks) : o.devices,
    start(fn) {
      if (started) return;
      started = true;
      roleHealth = fn;
      o.channel.on('welcome', onWelcome);
      o.content.emergencies.on('change', onShown);
      reporter.start();
    },
    stop() {
      if (!started) return;
      started = false;
      o.channel.off('welcome', onWelcome);
      o.content.emergencies.off('change', onShown);
      reporter.stop();
    },
  };
}
