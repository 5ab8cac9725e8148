import { type Static, Type } from '@sinclair/typebox';
import { IdSchema, IsoTime, strict } from './common.js';

/**
 * The device's health on the channel (issue 12): sent on every change (debounced) and every
 * `health.reportIntervalSec` as the heartbeat. A peripheral key is present only when the device's role uses
 * it (a lobby screen has none); `present: false` says the role wants it and it is missing (unplugged, not
 * found at boot). Every number is bounded so a hostile or broken device cannot make the store hold garbage.
 */
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });

export const PaperState = Type.Union([
  Type.Literal('ok'),
  Type.Literal('low'),
  Type.Literal('out'),
  Type.Literal('unknown'),
]);
export type PaperState = Static<typeof PaperState>;

export const PrinterHealth = Type.Object(
  {
    present: Type.Boolean(),
    /** Powered and answering (driver power `online`, status flag `online`). */
    online: Type.Boolean(),
    paper: PaperState,
    coverOpen: Type.Boolean(),
  },
  strict,
);
export type PrinterHealth = Static<typeof PrinterHealth>;

export const CardReaderHealth = Type.Object({ present: Type.Boolean(), online: Type.Boolean() }, strict);
export type CardReaderHealth = Static<typeof CardReaderHealth>;

export const TerminalHealth = Type.Object({ present: Type.Boolean(), reachable: Type.Boolean() }, strict);
export type TerminalHealth = Static<typeof TerminalHealth>;

export const LedHealth = Type.Object(
  {
    present: Type.Boolean(),
    online: Type.Boolean(),
    /** When the controller last acknowledged a packet (null: not since the runtime started). */
    lastAckAt: Type.Union([IsoTime, Type.Null()]),
    /** Packets the controller refused (NAK) or never answered, after the driver's retries. */
    naks: Count,
    timeouts: Count,
  },
  strict,
);
export type LedHealth = Static<typeof LedHealth>;

export const BrowserHealth = Type.Object(
  {
    alive: Type.Boolean(),
    restarts: Type.Optional(Count),
  },
  strict,
);
export type BrowserHealth = Static<typeof BrowserHealth>;

export const DeviceHealthPeripherals = Type.Object(
  {
    printer: Type.Optional(PrinterHealth),
    cardReader: Type.Optional(CardReaderHealth),
    terminal: Type.Optional(TerminalHealth),
    led: Type.Optional(LedHealth),
  },
  strict,
);
export type DeviceHealthPeripherals = Static<typeof DeviceHealthPeripherals>;

/** The health body, as stored and shown (the channel message adds `type`). */
export const DeviceHealthReport = Type.Object(
  {
    at: IsoTime,
    runtimeVersion: Type.String({ minLength: 1, maxLength: 64 }),
    uptimeSec: Type.Integer({ minimum: 0, maximum: 100 * 365 * 86_400 }),
    peripherals: DeviceHealthPeripherals,
    /** Only when the role runs a browser it watches (lobby / kiosk screen under cage). */
    browser: Type.Optional(BrowserHealth),
    /** Free bytes on the file system of the state dir (null: could not be read). */
    diskFreeBytes: Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()]),
    diskTotalBytes: Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()]),
    /** Device clock minus server clock at the last welcome, in ms (null: not connected since start). */
    clockSkewMs: Type.Union([
      Type.Integer({ minimum: -10 * 365 * 86_400_000, maximum: 10 * 365 * 86_400_000 }),
      Type.Null(),
    ]),
    /** Payments on this kiosk whose outcome is UNKNOWN (the terminal's answer was lost) and still open. */
    unknownPayments: Count,
  },
  strict,
);
export type DeviceHealthReport = Static<typeof DeviceHealthReport>;

export const DeviceHealth = Type.Object(
  { type: Type.Literal('health'), ...DeviceHealthReport.properties },
  strict,
);
export type DeviceHealth = Static<typeof DeviceHealth>;

/**
 * "I show this emergency": sent when the device puts an emergency on screen (and again after a reconnect
 * while it still shows it), so the control plane can alert on devices in scope that did not.
 */
export const EmergencyAck = Type.Object(
  {
    type: Type.Literal('emergency-ack'),
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    noticeId: IdSchema('ntc'),
    at: IsoTime,
  },
  strict,
);
export type EmergencyAck = Static<typeof EmergencyAck>;
