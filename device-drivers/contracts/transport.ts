/**
 * The byte pipe every driver sits on (zwave-js style sink + source). Drivers depend only on this interface, so
 * the same driver runs over serialport, USB bulk, TCP 9100, a simulated pair or a pseudo-terminal.
 */
export type TransportKind = 'sim' | 'serial' | 'usb' | 'tcp';

export interface TransportInfo {
  readonly kind: TransportKind;
  /** `serial:/dev/serial/by-id/...`, `usb:04b8:0202`, `tcp:10.0.0.5:9100`, `sim:printer-1`. */
  readonly address: string;
}

export interface Transport {
  readonly info: TransportInfo;
  readonly isOpen: boolean;
  /** Opens (and locks, where the medium can) the link; rejects with a DeviceError (NOT_FOUND, BUSY, PERMISSION_DENIED). */
  open(): Promise<void>;
  /** Resolves once the bytes are handed to the medium; rejects with DeviceError CLOSED when not open. */
  write(bytes: Uint8Array): Promise<void>;
  /** Incoming bytes, chunked as the medium delivers them (a frame may span chunks). Returns an unsubscribe. */
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Fires once per open: `error` set when the link was lost (unplug), undefined after `close()`. */
  onClose(listener: (error?: Error) => void): () => void;
  /** Idempotent. */
  close(): Promise<void>;
}
