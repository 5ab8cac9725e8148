import type { DeviceEvents, PosDevice } from './device.js';

/** A resident/community card read: an IC/NFC UID or magnetic-stripe tracks. Never a bank card number. */
export type CardRead =
  | { readonly kind: 'ic'; readonly uid: string; readonly at: number }
  | { readonly kind: 'magstripe'; readonly tracks: readonly (string | null)[]; readonly at: number };

export interface CardReaderEvents extends DeviceEvents {
  data: [CardRead];
}

export interface CardReader extends PosDevice<CardReaderEvents> {}
