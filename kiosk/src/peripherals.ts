import type { EventEmitter } from 'node:events';
import type { CardReader } from '../../device-drivers/contracts/card-reader.js';
import type { LedController } from '../../device-drivers/contracts/led-controller.js';
import type { PaymentTerminal } from '../../device-drivers/contracts/payment-terminal.js';
import type { ReceiptPrinter } from '../../device-drivers/contracts/receipt-printer.js';
import type { DeviceRole } from '../../protocol/schemas/common.js';
import type { StateLayout } from './state/state-layout.js';

/** The peripherals a role uses, only ever through their driver contracts. */
export interface Peripherals {
  printer?: ReceiptPrinter;
  terminal?: PaymentTerminal;
  /** Resident-card reader (kiosk); optional: a kiosk without one takes account numbers only. */
  cardReader?: CardReader;
  led?: LedController;
}

export type PeripheralName = keyof Peripherals;

/** `change`: a peripheral appeared or went (its field in `devices` was set or removed). */
export type PeripheralEvents = EventEmitter<{ change: [PeripheralName] }>;

/**
 * Opens (open → claim → enable) what a role needs; `close` releases everything it opened. A provider that
 * follows hotplug keeps `devices` current and says so on `events`.
 */
export type PeripheralProvider = (
  role: DeviceRole,
  layout: StateLayout,
) => Promise<{ devices: Peripherals; close(): Promise<void>; events?: PeripheralEvents }>;
