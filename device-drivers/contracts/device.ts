/**
 * The UnifiedPOS-like device model shared by every peripheral. Interfaces and plain values only: this folder
 * has no runtime dependencies, so kiosk and signage can import it without pulling in serialport or usb.
 */

/** `closed` before open/after close; `idle` when ready; `busy` while a job runs; `error` until cleared. */
export type DeviceState = 'closed' | 'idle' | 'busy' | 'error';

/** `unknown` until the device answered once; `off`/`offline` tell "no power" from "powered but not ready". */
export type PowerState = 'unknown' | 'online' | 'off' | 'offline';

/** Where an error arose (UnifiedPOS ErrorLocus). */
export type ErrorLocus = 'input' | 'input_data' | 'output';

/** What the application answers to an error event (UnifiedPOS ErrorResponse). */
export type ErrorResponse = 'retry' | 'clear';

export interface DeviceInfo {
  /** Logical name, e.g. `receipt-printer`. */
  readonly name: string;
  readonly kind: 'receipt-printer' | 'card-reader' | 'payment-terminal' | 'led-controller';
  readonly vendor?: string;
  readonly model?: string;
  /** How it is attached: `serial:/dev/serial/by-id/...`, `usb:04b8:0202`, `tcp:10.0.0.5:9100`, `sim:...`. */
  readonly address: string;
}

export interface StatusEvent {
  readonly state: DeviceState;
  readonly power: PowerState;
  /** Device-specific status flags, e.g. `{paperNearEnd: true}`. */
  readonly flags: Readonly<Record<string, boolean>>;
  readonly at: number;
}

export interface ErrorEvent {
  readonly error: Error & { readonly code: string };
  readonly locus: ErrorLocus;
  /** The response the driver will apply if the handler does not call `respond`. */
  readonly defaultResponse: ErrorResponse;
  /** Retry the interrupted operation once the cause is fixed, or clear it (the caller decides). */
  respond(response: ErrorResponse): void;
}

export interface DeviceEvents {
  status: [StatusEvent];
  error: [ErrorEvent];
  attached: [];
  detached: [];
}

/** Lifecycle `open → claim → enable → disable → release → close`; every step is idempotent. */
export interface PosDevice<E extends DeviceEvents = DeviceEvents> {
  readonly info: DeviceInfo;
  readonly state: DeviceState;
  readonly power: PowerState;
  open(): Promise<void>;
  claim(timeoutMs?: number): Promise<void>;
  enable(): Promise<void>;
  disable(): Promise<void>;
  release(): Promise<void>;
  close(): Promise<void>;
  on<K extends keyof E & string>(event: K, listener: (...args: E[K] & unknown[]) => void): this;
  off<K extends keyof E & string>(event: K, listener: (...args: E[K] & unknown[]) => void): this;
}
