import { type Static, Type } from '@sinclair/typebox';
import { IdSchema, IsoTime, NodeLevel } from './common.js';

/**
 * Webhooks out (issue 12): what an admin registers on a node, what the console lists, and the body a
 * receiver gets. Signing and verification are described in docs/running-a-city.md ("Webhooks").
 */
const strict = { additionalProperties: false } as const;

/** The events an endpoint can subscribe to; `webhook.test` is sent only by the test route. */
export const WebhookEventType = Type.Union([
  Type.Literal('alert.opened'),
  Type.Literal('alert.acknowledged'),
  Type.Literal('alert.resolved'),
  Type.Literal('webhook.test'),
]);
export type WebhookEventType = Static<typeof WebhookEventType>;
export const SubscribableEvent = Type.Union([
  Type.Literal('alert.opened'),
  Type.Literal('alert.acknowledged'),
  Type.Literal('alert.resolved'),
]);
export type SubscribableEvent = Static<typeof SubscribableEvent>;

export const WEBHOOK_URL_MAX = 2048;
const WebhookUrl = Type.String({
  minLength: 8,
  maxLength: WEBHOOK_URL_MAX,
  description:
    'https:// URL the events are POSTed to (no user:password@, no #fragment; redirects are not followed)',
});
const Events = Type.Array(SubscribableEvent, { minItems: 1, maxItems: 3, uniqueItems: true });
const Description = Type.String({ maxLength: 200, description: 'who answers this pager, for the console' });

export const CreateWebhookRequest = Type.Object(
  { url: WebhookUrl, events: Events, description: Type.Optional(Description) },
  strict,
);
export type CreateWebhookRequest = Static<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);
export type UpdateWebhookRequest = Static<typeof UpdateWebhookRequest>;

export const WebhookIdParams = Type.Object({ id: IdSchema('whk') }, strict);
export type WebhookIdParams = Static<typeof WebhookIdParams>;

export const WebhookView = Type.Object({
  id: IdSchema('whk'),
  nodeId: IdSchema('node'),
  url: Type.String(),
  events: Type.Array(SubscribableEvent),
  description: Type.String(),
  enabled: Type.Boolean(),
  /** Why it is off (e.g. the receiver answered 410 Gone), null while on. */
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type WebhookView = Static<typeof WebhookView>;

/** The answer to a create: the signing secret is in it once and never again. */
export const CreatedWebhookView = Type.Composite([
  WebhookView,
  Type.Object({ secret: Type.String({ description: 'the HMAC-SHA256 signing secret; shown once' }) }),
]);
export type CreatedWebhookView = Static<typeof CreatedWebhookView>;

export const WebhookListView = Type.Object({ items: Type.Array(WebhookView) });

export const DeliveryState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
]);

export const WebhookDeliveryView = Type.Object({
  /** Sent as `Linli-Webhook-Id`, the same on every attempt: receivers deduplicate on it. */
  id: IdSchema('whd'),
  eventId: Type.String(),
  eventType: WebhookEventType,
  state: DeliveryState,
  attempts: Type.Integer(),
  /** When the next attempt is due (pending only). */
  nextAttemptAt: Type.Union([IsoTime, Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoTime,
  deliveredAt: Type.Union([IsoTime, Type.Null()]),
});
export type WebhookDeliveryView = Static<typeof WebhookDeliveryView>;

export const DeliveryListQuery = Type.Object(
  {
    state: Type.Optional(DeliveryState),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  strict,
);
export type DeliveryListQuery = Static<typeof DeliveryListQuery>;
export const DeliveryListView = Type.Object({ items: Type.Array(WebhookDeliveryView) });

/** Event ids come from the publisher (an alert id and its transition): bounded and header-safe. */
export const WebhookEventId = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$' });

/** The JSON body a receiver gets (and whose exact bytes are signed). */
export const WebhookEventBody = Type.Object({
  id: WebhookEventId,
  type: WebhookEventType,
  occurredAt: IsoTime,
  node: Type.Object({
    id: IdSchema('node'),
    name: Type.String(),
    level: NodeLevel,
    /** Names from the city down to the node, e.g. ["邻里市", "和平区", "幸福街道"]. */
    path: Type.Array(Type.String()),
  }),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type WebhookEventBody = Static<typeof WebhookEventBody>;
