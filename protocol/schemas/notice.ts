import { type Static, Type } from '@sinclair/typebox';
import { DeviceRole, I18nText, IdSchema, IsoTime, strict } from './common.js';
import { ServiceCatalogue } from './services.js';

export const NoticePriority = Type.Union([
  Type.Literal('normal'),
  Type.Literal('important'),
  Type.Literal('emergency'),
]);
export type NoticePriority = Static<typeof NoticePriority>;

export const NoticeCategory = Type.Union([
  Type.Literal('general'),
  Type.Literal('utility'),
  Type.Literal('safety'),
  Type.Literal('event'),
  Type.Literal('civic'),
  Type.Literal('election'),
]);
export type NoticeCategory = Static<typeof NoticeCategory>;

/**
 * Bounds on every duration and size an operator types. An operator who types 9999999999999 "for ever" gets a
 * coded error naming the field, never a crash loop on the screens (Anthias DURATION_S_MAX).
 */
export const NOTICE_LIMITS = {
  displaySecMin: 5,
  displaySecMax: 300,
  displaySecDefault: 15,
  emergencyTtlSecMin: 10,
  emergencyTtlSecMax: 86_400,
  emergencyTtlSecDefault: 1_800,
  /** A notice lives at most this long from its start to its expiry. */
  lifetimeDaysMax: 366,
  lifetimeDaysDefault: 14,
  imagesMax: 4,
  imageBytesMax: 5 * 1024 * 1024,
  imagePixelsMax: 4096 * 4096,
  targetsMax: 64,
  windowsMax: 8,
} as const;

/** Local wall-clock time of day, 24 h. */
export const ClockTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'HH:MM, 24 h',
});

/** A daily window in the community's local time; `to` before `from` crosses midnight (22:00 → 06:00). */
export const TimeWindow = Type.Object({ from: ClockTime, to: ClockTime }, strict);
export type TimeWindow = Static<typeof TimeWindow>;

export const Timezone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$',
  description: 'IANA zone, e.g. Asia/Shanghai',
});

/**
 * When a notice plays. Times of day and weekdays are read in the timezone of the community the device is in,
 * unless `timezone` pins one; `start`/`end` are instants.
 */
export const NoticeSchedule = Type.Object(
  {
    start: IsoTime,
    end: Type.Optional(IsoTime),
    windows: Type.Optional(Type.Array(TimeWindow, { minItems: 1, maxItems: NOTICE_LIMITS.windowsMax })),
    weekdays: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday, 1 = Monday' }), {
        minItems: 1,
        maxItems: 7,
      }),
    ),
    timezone: Type.Optional(Timezone),
  },
  strict,
);
export type NoticeSchedule = Static<typeof NoticeSchedule>;

export const Tag = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' });

/** Who sees a notice: devices at or below any of the nodes, narrowed by tags and roles when given. */
export const NoticeTargets = Type.Object(
  {
    nodeIds: Type.Array(IdSchema('node'), { minItems: 1, maxItems: NOTICE_LIMITS.targetsMax }),
    tags: Type.Optional(Type.Array(Tag, { minItems: 1, maxItems: 16 })),
    roles: Type.Optional(Type.Array(DeviceRole, { minItems: 1, maxItems: 3 })),
  },
  strict,
);
export type NoticeTargets = Static<typeof NoticeTargets>;

/** Media are content-addressed: the id is the SHA-256 of the bytes, hex. */
export const MediaId = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the image, hex' });

export const NoticeImageRef = Type.Object({ mediaId: MediaId, alt: Type.Optional(I18nText(200)) }, strict);
export type NoticeImageRef = Static<typeof NoticeImageRef>;

export const DisplaySec = Type.Integer({
  minimum: NOTICE_LIMITS.displaySecMin,
  maximum: NOTICE_LIMITS.displaySecMax,
  description: 'seconds the notice stays on screen per turn in the carousel',
});
export const EmergencyTtlSec = Type.Integer({
  minimum: NOTICE_LIMITS.emergencyTtlSecMin,
  maximum: NOTICE_LIMITS.emergencyTtlSecMax,
  description: 'seconds an emergency takeover lasts on a device after it arrives, unless renewed',
});

/** A target path inside a device's TUF repository: only these shapes are ever accepted. */
export const TargetPath = Type.String({
  pattern: '^(manifest/dev_[0-9A-HJKMNP-TV-Z]{26}\\.json|media/[0-9a-f]{64}\\.(png|jpg|webp))$',
  maxLength: 120,
});

export const ManifestImage = Type.Object(
  {
    target: TargetPath,
    sha256: MediaId,
    length: Type.Integer({ minimum: 1, maximum: NOTICE_LIMITS.imageBytesMax }),
    width: Type.Integer({ minimum: 1, maximum: 16_384 }),
    height: Type.Integer({ minimum: 1, maximum: 16_384 }),
    alt: Type.Optional(I18nText(200)),
  },
  strict,
);
export type ManifestImage = Static<typeof ManifestImage>;

/** A published notice as a device receives it inside its manifest (covered by its TUF targets metadata). */
export const Notice = Type.Object(
  {
    id: IdSchema('ntc'),
    version: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    title: I18nText(120),
    body: I18nText(4000),
    category: NoticeCategory,
    priority: NoticePriority,
    images: Type.Array(ManifestImage, { maxItems: NOTICE_LIMITS.imagesMax }),
    schedule: NoticeSchedule,
    expiresAt: IsoTime,
    displaySec: DisplaySec,
    /** Present while an emergency is live: the device takes over for ttlSec from when it receives `seq`. */
    emergency: Type.Optional(
      Type.Object({ seq: Type.Integer({ minimum: 1 }), ttlSec: EmergencyTtlSec }, strict),
    ),
  },
  strict,
);
export type Notice = Static<typeof Notice>;

/** The one target every device syncs first: everything it should play, with hashes of the media. */
export const ContentManifest = Type.Object(
  {
    type: Type.Literal('linli.manifest/v1'),
    deviceId: IdSchema('dev'),
    /** Highest emergency sequence number issued for this device when the manifest was built. */
    emergencySeq: Type.Integer({ minimum: 0 }),
    notices: Type.Array(Notice, { maxItems: 500 }),
    /** Kiosks only: the service matters, categories and offices of the kiosk's community (issue #6). */
    services: Type.Optional(ServiceCatalogue),
  },
  strict,
);
export type ContentManifest = Static<typeof ContentManifest>;

/**
 * The urgent path: one envelope signed once by the emergency key (certified through the keyset by the pinned
 * root) for every target, pushed inside the WebSocket message. `seq` rises with every issue, so a replay is
 * refused; `ttlSec` is counted on the device from receipt, never against the server's clock.
 */
export const EmergencyAlert = Type.Object(
  {
    type: Type.Literal('linli.emergency/v1'),
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    action: Type.Union([Type.Literal('show'), Type.Literal('cancel')]),
    noticeId: IdSchema('ntc'),
    noticeVersion: Type.Integer({ minimum: 1 }),
    targets: NoticeTargets,
    ttlSec: EmergencyTtlSec,
    title: I18nText(120),
    body: I18nText(4000),
    category: NoticeCategory,
    issuedAt: IsoTime,
  },
  strict,
);
export type EmergencyAlert = Static<typeof EmergencyAlert>;
