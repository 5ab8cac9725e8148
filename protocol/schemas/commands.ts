import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCode, LinliError } from '../errors.js';
import { isValid } from '../validate.js';
import { type DeviceRole, IdSchema, IsoTime, strict } from './common.js';
import { COMMAND_STATES, type CommandOp, CommandOpSchema, CommandResult } from './fleet.js';

/*
 * Remote commands beyond the wire contract in fleet.ts: which op each role allows (both sides check it: the
 * control plane refuses to issue, the device refuses to run), each op's arguments, and the admin API's shapes.
 */

/** The ops a role runs. A lobby screen has no printer or speaker; only the LED sign has a brightness. */
export const OPS_FOR_ROLE: Readonly<Record<DeviceRole, readonly CommandOp[]>> = {
  kiosk: [
    'reboot',
    'restart-browser',
    'refresh-content',
    'reprint-last-receipt',
    'screenshot',
    'identify',
    'set-volume',
  ],
  lobby: ['reboot', 'restart-browser', 'refresh-content', 'screenshot', 'identify'],
  led: ['reboot', 'refresh-content', 'screenshot', 'identify', 'set-brightness'],
};

export function opAllowed(role: DeviceRole, op: string): op is CommandOp {
  return (OPS_FOR_ROLE[role] as readonly string[]).includes(op);
}

/** A temporary level: it lasts `forSec` (default an hour), then the configured value returns. */
const forSec = Type.Integer({ minimum: 60, maximum: 86_400, default: 3_600 });

/** Each op's arguments; an op without an entry takes none. */
export const COMMAND_ARGS: Readonly<Partial<Record<CommandOp, ReturnType<typeof Type.Object>>>> = {
  'set-volume': Type.Object({ level: Type.Integer({ minimum: 0, maximum: 100 }), forSec }, strict),
  'set-brightness': Type.Object({ level: Type.Integer({ minimum: 1, maximum: 16 }), forSec }, strict),
  identify: Type.Object({ seconds: Type.Integer({ minimum: 1, maximum: 120, default: 10 }) }, strict),
};
export const NO_ARGS = Type.Object({}, strict);

export type CommandArgValues = Record<string, number | string>;

/**
 * An op's arguments with their defaults filled in, or LINLI_ERR_COMMAND_ARGS_INVALID naming what is wrong.
 * The control plane calls it before it signs; the device calls it again before it acts.
 */
export function commandArgs(op: CommandOp, args: unknown = {}): CommandArgValues {
  const schema = COMMAND_ARGS[op] ?? NO_ARGS;
  const filled = Value.Default(schema, structuredClone(args ?? {}));
  if (!isValid(schema, filled)) {
    const first = [...Value.Errors(schema, filled)][0];
    throw new LinliError(
      ErrorCode.COMMAND_ARGS_INVALID,
      `arguments of ${op} are invalid at ${first?.path || '/'}: ${first?.message ?? 'do not match'}`,
      { op, path: first?.path || '/' },
    );
  }
  return filled as CommandArgValues;
}

/** Bounds of a command's life (server clock): long enough for a device rebooting, not a day-old surprise. */
export const COMMAND_TTL = { defaultSec: 600, minSec: 10, maxSec: 86_400 } as const;

export const CreateCommandRequest = Type.Object(
  {
    op: CommandOpSchema,
    args: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 32 }),
        Type.Union([Type.Integer(), Type.String({ maxLength: 64 })]),
        {
          maxProperties: 8,
        },
      ),
    ),
    ttlSec: Type.Optional(Type.Integer({ minimum: COMMAND_TTL.minSec, maximum: COMMAND_TTL.maxSec })),
  },
  strict,
);
export type CreateCommandRequest = Static<typeof CreateCommandRequest>;

export const CommandStateSchema = Type.Union(COMMAND_STATES.map((s) => Type.Literal(s)));

/** A command as the console and CLI see it. */
export const CommandView = Type.Object(
  {
    id: IdSchema('cmd'),
    deviceId: IdSchema('dev'),
    seq: Type.Integer({ minimum: 1 }),
    op: CommandOpSchema,
    args: Type.Record(Type.String(), Type.Union([Type.Integer(), Type.String()])),
    state: CommandStateSchema,
    createdBy: Type.String(),
    issuedAt: IsoTime,
    expiresAt: IsoTime,
    sentAt: Type.Union([IsoTime, Type.Null()]),
    doneAt: Type.Union([IsoTime, Type.Null()]),
    /** The device's signed answer (its payload), once it came. */
    result: Type.Union([CommandResult, Type.Null()]),
  },
  strict,
);
export type CommandView = Static<typeof CommandView>;

export const CommandListResponse = Type.Object({ commands: Type.Array(CommandView) }, strict);
export type CommandListResponse = Static<typeof CommandListResponse>;

export const CommandListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
  strict,
);

export const CommandIdParams = Type.Object({ id: IdSchema('cmd') }, strict);

/** Answer to a result post: the command after it, and whether this post changed it (false: a re-post). */
export const CommandResultAck = Type.Object({ recorded: Type.Boolean(), state: CommandStateSchema }, strict);
