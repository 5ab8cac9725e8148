/** Codes for peripheral errors. Messages say what a technician or the kiosk should do next. */
export const DeviceErrorCode = {
  PAPER_OUT: 'DEVICE_PAPER_OUT',
  PAPER_NEAR_END: 'DEVICE_PAPER_NEAR_END',
  COVER_OPEN: 'DEVICE_COVER_OPEN',
  OFFLINE: 'DEVICE_OFFLINE',
  TIMEOUT: 'DEVICE_TIMEOUT',
  PROTOCOL: 'DEVICE_PROTOCOL_ERROR',
  PERMISSION_DENIED: 'DEVICE_PERMISSION_DENIED',
  NOT_FOUND: 'DEVICE_NOT_FOUND',
  BUSY: 'DEVICE_BUSY',
  NOT_CLAIMED: 'DEVICE_NOT_CLAIMED',
  NOT_ENABLED: 'DEVICE_NOT_ENABLED',
  CLOSED: 'DEVICE_CLOSED',
  INVALID_ARGUMENT: 'DEVICE_INVALID_ARGUMENT',
  UNSUPPORTED: 'DEVICE_UNSUPPORTED',
  NAK: 'DEVICE_NAK',
  HARDWARE: 'DEVICE_HARDWARE_ERROR',
} as const;
export type DeviceErrorCode = (typeof DeviceErrorCode)[keyof typeof DeviceErrorCode];

export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: DeviceErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeviceError';
    this.code = code;
    this.details = details;
  }
}

export function isDeviceError(err: unknown, code?: DeviceErrorCode): err is DeviceError {
  return err instanceof DeviceError && (code === undefined || err.code === code);
}
