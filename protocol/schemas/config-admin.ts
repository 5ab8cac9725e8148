import { type Static, Type } from '@sinclair/typebox';
import { DeviceRole, IdSchema, IsoTime, NodeLevel, strict } from './common.js';
import { type ConfigReport, SettingSource } from './fleet.js';

/*
 * The admin API of desired-state configuration (issue 12): what the console and `linli config` read and
 * write. Values are JSON of the setting's own schema (protocol/schemas/device-settings.ts); the service
 * validates each one against `SETTINGS[key].schema`, so the wire types here leave them open.
 */

/** `PUT nodeConfig / deviceConfigAdmin`: key → new value, or null to clear the key (inherit again). */
export const ConfigPutBody = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 64,
  description: 'setting key → value (validated against the setting schema) or null to clear it',
});
export type ConfigPutBody = Static<typeof ConfigPutBody>;

/** A value and where it comes from. */
export const SourcedValue = Type.Object({ value: Type.Unknown(), source: SettingSource }, strict);
export type SourcedValue = Static<typeof SourcedValue>;

/** A value set on this node or device, by whom and when. */
export const SetHere = Type.Object({ value: Type.Unknown(), setBy: Type.String(), setAt: IsoTime }, strict);
export type SetHere = Static<typeof SetHere>;

/** What the console needs to draw an editor for one setting: its schema (bounds, enum), roles, label. */
export const SettingInfo = {
  key: Type.String(),
  label: Type.Object({ zh: Type.String(), en: Type.String() }, strict),
  roles: Type.Array(DeviceRole),
  apply: Type.Union([Type.Literal('live'), Type.Literal('between-sessions')]),
  /** The setting's JSON Schema (type, default, minimum/maximum, enum via anyOf, items). */
  schema: Type.Unknown(),
};

export const NodeSettingView = Type.Object(
  {
    ...SettingInfo,
    /** Set on this node, if it is. */
    here: Type.Union([SetHere, Type.Null()]),
    /** What the node's devices get without the value here: from a node above, or the default. */
    inherited: SourcedValue,
  },
  strict,
);
export type NodeSettingView = Static<typeof NodeSettingView>;

export const NodeConfigView = Type.Object(
  {
    node: Type.Object({ id: IdSchema('node'), level: NodeLevel, name: Type.String() }, strict),
    /** The config revision of this node's last change (0: never). */
    revision: Type.Integer({ minimum: 0 }),
    settings: Type.Array(NodeSettingView),
  },
  strict,
);
export type NodeConfigView = Static<typeof NodeConfigView>;

export const DeviceSettingView = Type.Object(
  {
    ...SettingInfo,
    /** The device's own override, if it has one. */
    here: Type.Union([SetHere, Type.Null()]),
    /** What the device would get without its override. */
    inherited: SourcedValue,
    /** What the device is told: the override, else the inherited value. */
    effective: SourcedValue,
    /** What the device last reported in effect for this key (absent: not reported). */
    reported: Type.Optional(Type.Unknown()),
  },
  strict,
);
export type DeviceSettingView = Static<typeof DeviceSettingView>;

/**
 * A stored report. Typed as ConfigReport but declared open: the response serializer writes a schema's
 * `default` for every missing property, which would invent values in `current` the device never reported.
 */
export const DeviceConfigReportView = Type.Object(
  { report: Type.Unsafe<ConfigReport>(Type.Unknown()), receivedAt: IsoTime },
  strict,
);

export const DeviceConfigView = Type.Object(
  {
    device: Type.Object(
      { id: IdSchema('dev'), role: DeviceRole, nodeId: IdSchema('node'), name: Type.String() },
      strict,
    ),
    /** The target the device is served now. */
    target: Type.Object({ version: Type.Integer({ minimum: 1 }), etag: Type.String() }, strict),
    /** Only the settings for the device's role. */
    settings: Type.Array(DeviceSettingView),
    /** The newest report first (a short history), empty before the device first reported. */
    reports: Type.Array(DeviceConfigReportView),
    /**
     * `in-step`: the last report applied exactly the current target; `waiting`: it waits for a payment or a
     * booking to end; `behind`: the device has not yet reported the current target (offline, or fetching);
     * `failed`: it reported the current target partial or refused; `never`: no report yet.
     */
    status: Type.Union([
      Type.Literal('in-step'),
      Type.Literal('waiting'),
      Type.Literal('behind'),
      Type.Literal('failed'),
      Type.Literal('never'),
    ]),
  },
  strict,
);
export type DeviceConfigView = Static<typeof DeviceConfigView>;
