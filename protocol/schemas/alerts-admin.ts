import { type Static, Type } from '@sinclair/typebox';
import { IdSchema, IsoTime, strict } from './common.js';
import { DeviceHealthReport } from './device-health.js';

/**
 * The alert rules (issue 12). Thresholds live in the control plane's config (`alerts.*`); the console shows
 * each with an icon and words by severity.
 */
export const ALERT_RULES = [
  'device-offline',
  'printer-offline',
  'paper-out',
  'paper-low',
  'printer-cover-open',
  'card-reader-gone',
  'terminal-unreachable',
  'led-offline',
  'emergency-unacknowledged',
  'payment-unknown-repeated',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export const AlertRuleSchema = Type.Union(ALERT_RULES.map((r) => Type.Literal(r)));

export const AlertStateSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('acknowledged'),
  Type.Literal('resolved'),
]);
export const AlertSeveritySchema = Type.Union([
  Type.Literal('critical'),
  Type.Literal('warning'),
  Type.Literal('info'),
]);

export const AlertView = Type.Object({
  id: IdSchema('alr'),
  rule: AlertRuleSchema,
  severity: AlertSeveritySchema,
  state: AlertStateSchema,
  nodeId: IdSchema('node'),
  deviceId: Type.Union([IdSchema('dev'), Type.Null()]),
  /** The device's name, when the alert is about one (for the console's list). */
  deviceName: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  openedAt: IsoTime,
  acknowledgedAt: Type.Union([IsoTime, Type.Null()]),
  /** The admin's username (null while not acknowledged). */
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  resolvedAt: Type.Union([IsoTime, Type.Null()]),
  /** `auto` when the condition cleared, else the admin's username. */
  resolvedBy: Type.Union([Type.String(), Type.Null()]),
});
export type AlertView = Static<typeof AlertView>;

export const AlertListQuery = Type.Object(
  {
    nodeId: Type.Optional(IdSchema('node')),
    state: Type.Optional(AlertStateSchema),
    rule: Type.Optional(AlertRuleSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
  },
  strict,
);
export type AlertListQuery = Static<typeof AlertListQuery>;

export const AlertListResponse = Type.Object({ alerts: Type.Array(AlertView) });
export type AlertListResponse = Static<typeof AlertListResponse>;

export const AlertIdParams = Type.Object({ id: IdSchema('alr') }, strict);
export type AlertIdParams = Static<typeof AlertIdParams>;

export const HealthEntry = Type.Object({ receivedAt: IsoTime, report: DeviceHealthReport });
export type HealthEntry = Static<typeof HealthEntry>;

export const DeviceHealthQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })) },
  strict,
);
export type DeviceHealthQuery = Static<typeof DeviceHealthQuery>;

/** `GET /api/v1/admin/devices/:id/health`: the latest report, the history (newest first) and its alerts. */
export const DeviceHealthResponse = Type.Object({
  deviceId: IdSchema('dev'),
  online: Type.Boolean(),
  latest: Type.Union([HealthEntry, Type.Null()]),
  history: Type.Array(HealthEntry),
  alerts: Type.Array(AlertView),
});
export type DeviceHealthResponse = Static<typeof DeviceHealthResponse>;
