import { type Static, Type } from '@sinclair/typebox';
import { I18nText, IdSchema, IsoTime, strict } from './common.js';
import {
  DisplaySec,
  EmergencyTtlSec,
  NOTICE_LIMITS,
  NoticeCategory,
  NoticeImageRef,
  NoticePriority,
  NoticeSchedule,
  NoticeTargets,
} from './notice.js';

/** What an author writes. Defaults: category general, priority normal, start now, expiry in 14 days. */
export const NoticeDraftInput = Type.Object(
  {
    title: I18nText(120),
    body: I18nText(4000),
    category: Type.Optional(NoticeCategory),
    priority: Type.Optional(NoticePriority),
    images: Type.Optional(Type.Array(NoticeImageRef, { maxItems: NOTICE_LIMITS.imagesMax })),
    targets: NoticeTargets,
    schedule: Type.Optional(
      Type.Object(
        { ...NoticeSchedule.properties, start: Type.Optional(NoticeSchedule.properties.start) },
        { ...strict, description: 'start defaults to now' },
      ),
    ),
    expiresAt: Type.Optional(IsoTime),
    displaySec: Type.Optional(DisplaySec),
    emergencyTtlSec: Type.Optional(EmergencyTtlSec),
  },
  strict,
);
export type NoticeDraftInput = Static<typeof NoticeDraftInput>;

/** The stored content of a revision: every default filled in. */
export const NoticeContent = Type.Object(
  {
    title: I18nText(120),
    body: I18nText(4000),
    category: NoticeCategory,
    priority: NoticePriority,
    images: Type.Array(NoticeImageRef, { maxItems: NOTICE_LIMITS.imagesMax }),
    targets: NoticeTargets,
    schedule: NoticeSchedule,
    expiresAt: IsoTime,
    displaySec: DisplaySec,
    emergencyTtlSec: EmergencyTtlSec,
  },
  strict,
);
export type NoticeContent = Static<typeof NoticeContent>;

export const CreateNoticeRequest = Type.Composite(
  [
    NoticeDraftInput,
    Type.Object({
      publish: Type.Optional(
        Type.Boolean({
          description:
            'admins only: submit and approve in one step (emergencies: district-or-higher admins, audited)',
        }),
      ),
    }),
  ],
  strict,
);
export type CreateNoticeRequest = Static<typeof CreateNoticeRequest>;

/** An edit replaces the content; `revision` is the one the editor saw (a stale edit is refused). */
export const UpdateNoticeRequest = Type.Composite(
  [NoticeDraftInput, Type.Object({ revision: Type.Integer({ minimum: 1 }) })],
  strict,
);
export type UpdateNoticeRequest = Static<typeof UpdateNoticeRequest>;

export const NoticeStatus = Type.Union(
  [
    Type.Literal('draft'),
    Type.Literal('pending'),
    Type.Literal('published'),
    Type.Literal('rejected'),
    Type.Literal('withdrawn'),
  ],
  {
    description:
      'draft → pending (submitted) → published (approved) | rejected; an edit of a published notice is pending again while the approved version keeps playing',
  },
);
export type NoticeStatus = Static<typeof NoticeStatus>;

export const NoticeView = Type.Object({
  id: IdSchema('ntc'),
  status: NoticeStatus,
  /** Increases with every edit. */
  revision: Type.Integer(),
  /** The content being edited or awaiting approval (the latest revision). */
  content: NoticeContent,
  /** The approved version devices play, if any. */
  published: Type.Union([
    Type.Object({
      version: Type.Integer(),
      content: NoticeContent,
      approvedAt: IsoTime,
      approvedBy: Type.String(),
    }),
    Type.Null(),
  ]),
  emergency: Type.Union([
    Type.Object({ seq: Type.Integer(), liveUntil: IsoTime, live: Type.Boolean() }),
    Type.Null(),
  ]),
  rejectedReason: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  updatedBy: Type.String(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type NoticeView = Static<typeof NoticeView>;

export const NoticeActionResponse = Type.Object({
  notice: NoticeView,
  /** Active devices the published notice applies to, and how many were told at once over their channel. */
  targetedDevices: Type.Integer({ minimum: 0 }),
  notifiedDevices: Type.Integer({ minimum: 0 }),
});
export type NoticeActionResponse = Static<typeof NoticeActionResponse>;

export const NoticeIdParams = Type.Object({ id: IdSchema('ntc') }, strict);
export const ApproveNoticeRequest = Type.Object({ revision: Type.Integer({ minimum: 1 }) }, strict);
export type ApproveNoticeRequest = Static<typeof ApproveNoticeRequest>;
export const ReasonRequest = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  strict,
);
export type ReasonRequest = Static<typeof ReasonRequest>;
export const EmergencyRequest = Type.Object({ ttlSec: Type.Optional(EmergencyTtlSec) }, strict);
export type EmergencyRequest = Static<typeof EmergencyRequest>;

export const NoticeListQuery = Type.Object(
  { status: Type.Optional(NoticeStatus), nodeId: Type.Optional(IdSchema('node')) },
  strict,
);
export type NoticeListQuery = Static<typeof NoticeListQuery>;
export const NoticeListResponse = Type.Object({ notices: Type.Array(NoticeView) });
export type NoticeListResponse = Static<typeof NoticeListResponse>;

export const AuditAction = Type.Union([
  Type.Literal('create'),
  Type.Literal('edit'),
  Type.Literal('submit'),
  Type.Literal('approve'),
  Type.Literal('reject'),
  Type.Literal('withdraw'),
  Type.Literal('emergency-bypass'),
  Type.Literal('emergency-renew'),
]);
export type AuditAction = Static<typeof AuditAction>;

export const AuditEvent = Type.Object({
  seq: Type.Integer(),
  at: IsoTime,
  noticeId: IdSchema('ntc'),
  action: AuditAction,
  revision: Type.Integer(),
  actor: Type.Object({
    id: IdSchema('adm'),
    username: Type.String(),
    role: Type.String(),
    nodeId: Type.String(),
  }),
  detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditQuery = Type.Object(
  {
    noticeId: Type.Optional(IdSchema('ntc')),
    action: Type.Optional(AuditAction),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  strict,
);
export type AuditQuery = Static<typeof AuditQuery>;
export const AuditResponse = Type.Object({ events: Type.Array(AuditEvent) });
export type AuditResponse = Static<typeof AuditResponse>;

export const MediaView = Type.Object({
  mediaId: Type.String(),
  contentType: Type.String(),
  length: Type.Integer(),
  width: Type.Integer(),
  height: Type.Integer(),
});
export type MediaView = Static<typeof MediaView>;
