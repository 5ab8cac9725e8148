import { type Static, Type } from '@sinclair/typebox';
import { IdSchema, IsoTime, Nonce, SignatureB64, strict } from './common.js';
import type { DeviceHealth, EmergencyAck } from './device-health.js';

/**
 * Device channel over WebSocket (`/api/v1/device/channel`). The server speaks first with a nonce; the device
 * answers with its signature over `channelSigningInput`; only then does the server send anything else.
 */
export const ServerChallenge = Type.Object({
  type: Type.Literal('challenge'),
  nonce: Nonce,
  serverTime: IsoTime,
});
export type ServerChallenge = Static<typeof ServerChallenge>;

/**
 * What software a device runs, told at the channel handshake (`have.runtime`) and shown on the console's
 * device page: the runtime's package version, `git describe` of its checkout when there is one, Node's
 * version and the platform. Short, plain strings only: it is displayed, never interpreted.
 */
export const DeviceRuntime = Type.Object(
  {
    version: Type.String({
      minLength: 1,
      maxLength: 32,
      pattern: '^[0-9A-Za-z.+-]+$',
      description: 'package.json version, e.g. 0.1.0',
    }),
    git: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 80,
        pattern: '^[0-9A-Za-z._+/-]+$',
        description: '`git describe --tags --always --dirty` of the checkout, e.g. v0.1.0-14-g3e1f0a2',
      }),
    ),
    node: Type.String({
      minLength: 2,
      maxLength: 32,
      pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+[0-9A-Za-z.+-]*$',
      description: 'process.version, e.g. v20.17.0',
    }),
    platform: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_-]+$', description: 'e.g. linux-arm64' }),
    ),
  },
  strict,
);
export type DeviceRuntime = Static<typeof DeviceRuntime>;

export const DeviceAuth = Type.Object(
  {
    type: Type.Literal('auth'),
    deviceId: IdSchema('dev'),
    nonce: Nonce,
    sig: SignatureB64,
    /** What the device already has, so the server can push only what changed. */
    have: Type.Optional(
      Type.Object({
        contentVersion: Type.Optional(Type.String({ maxLength: 128 })),
        /** Optional: older runtimes do not send it. */
        runtime: Type.Optional(DeviceRuntime),
      }),
    ),
  },
  strict,
);
export type DeviceAuth = Static<typeof DeviceAuth>;

export const ServerWelcome = Type.Object({
  type: Type.Literal('welcome'),
  deviceId: IdSchema('dev'),
  sessionId: Type.String(),
  serverTime: IsoTime,
  heartbeatSec: Type.Integer({ minimum: 5, maximum: 3600 }),
});
export type ServerWelcome = Static<typeof ServerWelcome>;

/** "Something changed for you": the device fetches and verifies; the push itself carries no authority. */
export const ServerSync = Type.Object({
  type: Type.Literal('sync'),
  topic: Type.Union([Type.Literal('content'), Type.Literal('keys'), Type.Literal('config')]),
  version: Type.Optional(Type.String()),
  /** Told to many devices at once: each waits a random 0…spreadMs before fetching (no thundering herd). */
  spreadMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
});
export type ServerSync = Static<typeof ServerSync>;

/** A signed payload pushed inline (`kind: 'emergency'`: a linli.emergency/v1 envelope); verified like any other. */
export const ServerPush = Type.Object({
  type: Type.Literal('push'),
  kind: Type.String({ maxLength: 64 }),
  envelope: Type.Unknown(),
  /** The push itself acts at once; the follow-up sync waits a random 0…spreadMs (see ServerSync). */
  spreadMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
});
export type ServerPush = Static<typeof ServerPush>;

/**
 * A remote command (issue 12): `envelope` is a `linli.command/v1` payload signed by the control plane's fleet
 * key (protocol/schemas/fleet.ts `Command`). The device verifies it (signature, its own id, a new seq, the
 * server-clock expiry, an op its role allows) before acting, and answers over HTTP with a result signed by
 * its own key. The channel message itself carries no authority.
 */
export const ServerCommand = Type.Object({
  type: Type.Literal('command'),
  envelope: Type.Unknown(),
});
export type ServerCommand = Static<typeof ServerCommand>;

export const DeviceStatus = Type.Object(
  {
    type: Type.Literal('status'),
    at: IsoTime,
    uptimeSec: Type.Integer({ minimum: 0 }),
    contentVersion: Type.Optional(Type.String({ maxLength: 128 })),
    peripherals: Type.Optional(Type.Record(Type.String({ maxLength: 32 }), Type.String({ maxLength: 64 }))),
  },
  strict,
);
export type DeviceStatus = Static<typeof DeviceStatus>;

export type ServerMessage = ServerChallenge | ServerWelcome | ServerSync | ServerPush | ServerCommand;
/** Health and emergency acknowledgements: protocol/schemas/device-health.ts (issue 12). */
export type DeviceMessage = DeviceAuth | DeviceStatus | DeviceHealth | EmergencyAck;

export function channelSigningInput(deviceId: string, nonce: string) {
  return { purpose: 'linli.channel/v1', deviceId, nonce };
}

/** WebSocket close codes the device acts on: 1008 is "policy violation" (RFC 6455) with a LINLI_ERR reason. */
export const CloseCode = {
  POLICY: 1008,
  SERVER_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  /** A newer connection of the same device took over; this one should not reconnect on its own. */
  REPLACED: 4000,
} as const;
