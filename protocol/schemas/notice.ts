import { type Static, Type } from '@sinclair/typebox';
import { DeviceRole, I18nText, IdSchema, IsoTime, SignedEnvelope, strict } from './common.js';

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

/** A notice as published to devices; signed by the content key. */
export const Notice = Type.Object(
  {
    type: Type.Literal('linli.notice/v1'),
    id: IdSchema('ntc'),
    version: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    title: I18nText(120),
    body: I18nText(4000),
    category: NoticeCategory,
    priority: NoticePriority,
    targets: Type.Object(
      {
        nodeIds: Type.Array(IdSchema('node'), { minItems: 1, maxItems: 256 }),
        roles: Type.Optional(Type.Array(DeviceRole, { maxItems: 3 })),
      },
      strict,
    ),
    publishedAt: IsoTime,
    expiresAt: Type.Optional(IsoTime),
  },
  strict,
);
export type Notice = Static<typeof Notice>;

export const PublishNoticeRequest = Type.Object(
  {
    nodeId: IdSchema('node'),
    title: I18nText(120),
    body: I18nText(4000),
    category: Type.Optional(NoticeCategory),
    priority: Type.Optional(NoticePriority),
    roles: Type.Optional(Type.Array(DeviceRole, { maxItems: 3 })),
    expiresAt: Type.Optional(IsoTime),
  },
  strict,
);
export type PublishNoticeRequest = Static<typeof PublishNoticeRequest>;

export const PublishNoticeResponse = Type.Object({
  notice: SignedEnvelope(Notice),
  /** Active devices the notice applies to (the node's subtree, filtered by role). */
  targetedDevices: Type.Integer({ minimum: 0 }),
  /** Of those, the ones connected right now that were told to sync. */
  notifiedDevices: Type.Integer({ minimum: 0 }),
});
export type PublishNoticeResponse = Static<typeof PublishNoticeResponse>;
