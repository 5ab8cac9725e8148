import { type Static, Type } from '@sinclair/typebox';
import { IdSchema, IsoTime, NodeLevel, SignatureB64, strict } from './common.js';
import { SETTING_KEYS, SettingsPatch } from './device-settings.js';

/*
 * Fleet operations (issue 12): the wire between the control plane and a device for desired-state
 * configuration and remote commands. Both payloads the control plane sends are signed by its `fleet` key
 * (listed in the keyset; see SIGNER_FOR_TYPE); what the device answers is signed by the device's own key.
 */

const SettingKeyString = Type.Union(SETTING_KEYS.map((k) => Type.Literal(k)));

// ---------------------------------------------------------------- desired-state configuration

/**
 * `GET /api/v1/device/config` → `{ target: Signed<TargetState> }`, with an ETag (`"<etag>"`), and 304 on
 * `If-None-Match` while nothing changed. `settings` holds the resolved value of every setting that means
 * something to the device's role. `version` only grows for a device (a replayed older target is refused by
 * the device); `etag` is the hash of `settings`, so an unchanged result keeps its etag.
 */
export const TargetState = Type.Object(
  {
    type: Type.Literal('linli.target-state/v1'),
    deviceId: IdSchema('dev'),
    version: Type.Integer({ minimum: 1 }),
    etag: Type.String({ pattern: '^[0-9a-f]{16,64}$' }),
    issuedAt: IsoTime,
    settings: SettingsPatch,
  },
  strict,
);
export type TargetState = Static<typeof TargetState>;

export const ConfigFailure = Type.Object(
  {
    key: Type.String({ maxLength: 64 }),
    code: Type.String({ pattern: '^LINLI_ERR_[A-Z0-9_]+$' }),
    message: Type.String({ maxLength: 300 }),
  },
  strict,
);

/**
 * `POST /api/v1/device/config/report` (device session): what the device did with a target.
 * - `applied`: every setting is in effect;
 * - `waiting`: some `between-sessions` settings wait for an open payment or booking to end (`pending`);
 * - `partial`: some settings could not be applied (`failed`, each with its code), the rest are in effect;
 * - `refused`: the target failed validation or its signature on the device; nothing changed.
 */
export const ConfigReport = Type.Object(
  {
    targetVersion: Type.Integer({ minimum: 0 }),
    etag: Type.String({ maxLength: 64 }),
    outcome: Type.Union([
      Type.Literal('applied'),
      Type.Literal('waiting'),
      Type.Literal('partial'),
      Type.Literal('refused'),
    ]),
    applied: Type.Array(SettingKeyString, { maxItems: 64 }),
    pending: Type.Array(
      Type.Object(
        {
          key: SettingKeyString,
          waitingFor: Type.Union([Type.Literal('payment'), Type.Literal('booking'), Type.Literal('print')]),
        },
        strict,
      ),
      { maxItems: 64 },
    ),
    failed: Type.Array(ConfigFailure, { maxItems: 64 }),
    /** The values in effect on the device after this pass. */
    current: SettingsPatch,
    at: IsoTime,
  },
  strict,
);
export type ConfigReport = Static<typeof ConfigReport>;

/** Where an effective value comes from, for the console: the device's own override, a node, or the default. */
export const SettingSource = Type.Union([
  Type.Object({ kind: Type.Literal('default') }, strict),
  Type.Object({ kind: Type.Literal('device'), deviceId: IdSchema('dev') }, strict),
  Type.Object(
    { kind: Type.Literal('node'), nodeId: IdSchema('node'), level: NodeLevel, name: Type.String() },
    strict,
  ),
]);
export type SettingSource = Static<typeof SettingSource>;

// ---------------------------------------------------------------- remote commands

export const COMMAND_OPS = [
  'reboot',
  'restart-browser',
  'refresh-content',
  'reprint-last-receipt',
  'screenshot',
  'identify',
  'set-volume',
  'set-brightness',
] as const;
export type CommandOp = (typeof COMMAND_OPS)[number];
export const CommandOpSchema = Type.Union(COMMAND_OPS.map((o) => Type.Literal(o)));

/** Arguments per op; ops not listed take `{}`. A temporary override lasts `forSec` then the setting returns. */
export const CommandArgs = Type.Union([
  Type.Object({}, strict),
  Type.Object(
    {
      level: Type.Integer({ minimum: 0, maximum: 100 }),
      forSec: Type.Integer({ minimum: 60, maximum: 86_400, default: 3_600 }),
    },
    strict,
  ),
  Type.Object({ seconds: Type.Integer({ minimum: 1, maximum: 120 }) }, strict),
]);

/**
 * A command, signed by the control plane's fleet key and sent inside `{type:'command', envelope}` on the
 * channel. `seq` rises per device (the device refuses any seq it has seen, and any lower than its highest);
 * `issuedAt`/`expiresAt` are server-clock times: the device compares them with its estimate of the server
 * clock (learnt from the channel's `serverTime`), never with its own clock alone.
 */
export const Command = Type.Object(
  {
    type: Type.Literal('linli.command/v1'),
    id: IdSchema('cmd'),
    deviceId: IdSchema('dev'),
    seq: Type.Integer({ minimum: 1 }),
    op: CommandOpSchema,
    args: Type.Record(
      Type.String({ maxLength: 32 }),
      Type.Union([Type.Integer(), Type.String({ maxLength: 64 })]),
    ),
    issuedAt: IsoTime,
    expiresAt: IsoTime,
  },
  strict,
);
export type Command = Static<typeof Command>;

export const COMMAND_STATES = ['pending', 'sent', 'done', 'failed', 'rejected', 'expired'] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

/**
 * What the device answers, signed with its own key (`sig` = Ed25519 over the RFC 8785 form of `payload`):
 * `POST /api/v1/device/commands/result` → `{ payload: CommandResult, sig }`. `rejected` is a command the
 * device refused (replayed, expired, for another device, op not allowed on this role) with its code.
 */
export const CommandResult = Type.Object(
  {
    type: Type.Literal('linli.command-result/v1'),
    commandId: IdSchema('cmd'),
    deviceId: IdSchema('dev'),
    seq: Type.Integer({ minimum: 0 }),
    status: Type.Union([Type.Literal('done'), Type.Literal('failed'), Type.Literal('rejected')]),
    code: Type.Optional(Type.String({ pattern: '^LINLI_ERR_[A-Z0-9_]+$' })),
    message: Type.Optional(Type.String({ maxLength: 300 })),
    /** Op-specific facts: e.g. `{ screenshot: 'refused-payment-screen' }` or the reprinted receipt id. */
    detail: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 32 }),
        Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()]),
      ),
    ),
    at: IsoTime,
  },
  strict,
);
export type CommandResult = Static<typeof CommandResult>;

export const SignedCommandResult = Type.Object({ payload: CommandResult, sig: SignatureB64 }, strict);
export type SignedCommandResult = Static<typeof SignedCommandResult>;
