import { type Static, Type } from '@sinclair/typebox';
import { DeviceView } from './admin.js';
import { DeviceRuntime } from './channel.js';
import { IsoTime, NodeLevel, strict } from './common.js';
import { Hardware } from './enrollment.js';

/** The software a device said it runs, and when it said so (the channel handshake of that session). */
export const DeviceRuntimeView = Type.Object({
  ...DeviceRuntime.properties,
  reportedAt: IsoTime,
});
export type DeviceRuntimeView = Static<typeof DeviceRuntimeView>;

/** The console's device page header (`GET /api/v1/admin/devices/:id`). */
export const DeviceDetail = Type.Object({
  ...DeviceView.properties,
  nodeLevel: NodeLevel,
  nodePath: Type.Array(Type.String(), { description: 'node names from the city down to the device’s node' }),
  timezone: Type.String({
    description: 'the IANA zone of the device’s node (its community): read times on it',
  }),
  onlineSince: Type.Union([IsoTime, Type.Null()], {
    description: 'when the channel open now was opened; null when offline',
  }),
  runtime: Type.Union([DeviceRuntimeView, Type.Null()], {
    description: 'what it runs (told at its newest handshake that told it); null if it never said',
  }),
  hardware: Type.Union([Hardware, Type.Null()]),
});
export type DeviceDetail = Static<typeof DeviceDetail>;

export const SessionCloseReasonSchema = Type.Union(
  [
    Type.Literal('device'),
    Type.Literal('heartbeat'),
    Type.Literal('replaced'),
    Type.Literal('superseded'),
    Type.Literal('server'),
    Type.Literal('server-stop'),
    Type.Literal('instance-lost'),
  ],
  {
    description:
      'device: the device or network closed it (closeCode 1000/1001 clean, 1006 dropped); heartbeat: no pong; replaced: a newer channel on the same instance; superseded: a newer channel elsewhere; server: the control plane closed it (1008 revoked, 4000 moved); server-stop: its instance stopped; instance-lost: its instance died',
  },
);

/** One channel session of a device: the online history. */
export const DeviceSessionView = Type.Object({
  id: Type.String(),
  instanceId: Type.String({ description: 'the control-plane instance that held the channel' }),
  connectedAt: IsoTime,
  disconnectedAt: Type.Union([IsoTime, Type.Null()], { description: 'null: still open' }),
  closeReason: Type.Union([SessionCloseReasonSchema, Type.Null()]),
  closeCode: Type.Union([Type.Integer(), Type.Null()], { description: 'the WebSocket close code, if any' }),
  runtime: Type.Union([DeviceRuntime, Type.Null()]),
});
export type DeviceSessionView = Static<typeof DeviceSessionView>;

export const DeviceSessionsQuery = Type.Object(
  {
    since: Type.Optional(IsoTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  },
  { ...strict, description: 'sessions still open at or after `since` (default: all kept), newest first' },
);
export type DeviceSessionsQuery = Static<typeof DeviceSessionsQuery>;

export const DeviceSessionsResponse = Type.Object({
  deviceId: Type.String(),
  /** Newest first. */
  sessions: Type.Array(DeviceSessionView),
});
export type DeviceSessionsResponse = Static<typeof DeviceSessionsResponse>;
