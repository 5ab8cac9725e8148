import { type Static, Type } from '@sinclair/typebox';
import { IdSchema, IsoTime, strict } from './common.js';

/** One showing of a notice on a device: recorded on the device, buffered durably, uploaded later. */
export const PlayRecord = Type.Object(
  {
    /** Random id made on the device: an upload retried after a lost answer is stored once. */
    playId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,40}$' }),
    noticeId: IdSchema('ntc'),
    version: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    startedAt: IsoTime,
    durationMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
    /** Where it showed: the lobby page, the LED panel, the kiosk's takeover. */
    surface: Type.Union([Type.Literal('lobby'), Type.Literal('led'), Type.Literal('kiosk')]),
    emergency: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type PlayRecord = Static<typeof PlayRecord>;

export const UploadPlaysRequest = Type.Object(
  { plays: Type.Array(PlayRecord, { minItems: 1, maxItems: 500 }) },
  strict,
);
export type UploadPlaysRequest = Static<typeof UploadPlaysRequest>;
export const UploadPlaysResponse = Type.Object({
  accepted: Type.Integer({ minimum: 0 }),
  duplicates: Type.Integer({ minimum: 0 }),
});
export type UploadPlaysResponse = Static<typeof UploadPlaysResponse>;

/** A notice the device could not render (a broken image): quarantined there, reported here. */
export const FaultReport = Type.Object(
  {
    noticeId: IdSchema('ntc'),
    version: Type.Integer({ minimum: 1 }),
    code: Type.String({ pattern: '^LINLI_ERR_[A-Z_]+$' }),
    reason: Type.String({ maxLength: 500 }),
    at: IsoTime,
  },
  strict,
);
export type FaultReport = Static<typeof FaultReport>;

/** Screenshot upload: the answer to a `screenshot` command, PNGs as base64. */
export const ScreenshotUpload = Type.Object(
  {
    capturedAt: IsoTime,
    images: Type.Array(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('lobby'), Type.Literal('led'), Type.Literal('kiosk')]),
          png: Type.String({ maxLength: 12 * 1024 * 1024, pattern: '^[A-Za-z0-9+/]+=*$' }),
        },
        strict,
      ),
      { maxItems: 2 },
    ),
    errors: Type.Array(Type.Object({ kind: Type.String(), code: Type.String(), message: Type.String() }), {
      maxItems: 4,
    }),
  },
  strict,
);
export type ScreenshotUpload = Static<typeof ScreenshotUpload>;

export const ScreenshotResponse = Type.Object({
  deviceId: IdSchema('dev'),
  capturedAt: IsoTime,
  images: Type.Array(Type.Object({ kind: Type.String(), png: Type.String() })),
  errors: Type.Array(Type.Object({ kind: Type.String(), code: Type.String(), message: Type.String() })),
});
export type ScreenshotResponse = Static<typeof ScreenshotResponse>;

/** Proof of play for the admin: "which screens showed the water-cut notice, and when". */
export const PlayView = Type.Object({
  noticeId: IdSchema('ntc'),
  version: Type.Integer(),
  deviceId: IdSchema('dev'),
  startedAt: IsoTime,
  durationMs: Type.Integer(),
  surface: Type.String(),
  emergency: Type.Boolean(),
});
export type PlayView = Static<typeof PlayView>;

export const NoticePlaysResponse = Type.Object({
  noticeId: IdSchema('ntc'),
  devices: Type.Array(
    Type.Object({
      deviceId: IdSchema('dev'),
      name: Type.String(),
      role: Type.String(),
      nodeId: Type.String(),
      plays: Type.Integer(),
      totalMs: Type.Integer(),
      firstAt: IsoTime,
      lastAt: IsoTime,
    }),
  ),
  plays: Type.Array(PlayView, { description: 'the most recent showings, newest first (at most `limit`)' }),
});
export type NoticePlaysResponse = Static<typeof NoticePlaysResponse>;

export const DevicePlaysResponse = Type.Object({
  deviceId: IdSchema('dev'),
  plays: Type.Array(PlayView),
});
export type DevicePlaysResponse = Static<typeof DevicePlaysResponse>;

export const PlaysQuery = Type.Object(
  {
    since: Type.Optional(IsoTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
  },
  strict,
);
export type PlaysQuery = Static<typeof PlaysQuery>;
