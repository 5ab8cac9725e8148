import type { DeviceRuntime } from '../../../protocol/schemas/channel.js';

/**
 * Each device's channel sessions (issue 12, the console's online history). A session is one authenticated
 * channel: opened on one instance, closed when the socket closes, the instance stops, or the instance dies
 * (closed when its lease is reaped). Written only together with presence (`ClusterRepository.applyPresence`),
 * so a reconnect wave stays one transaction; read and pruned here.
 */

/**
 * Why a session ended:
 * - `device`: the device or the network closed the socket (`closeCode`: 1000/1001 a clean close, 1006 a drop);
 * - `heartbeat`: no pong for a whole heartbeat (a dead link TCP had not noticed);
 * - `replaced`: a newer channel of the same device on the same instance took over;
 * - `superseded`: the device opened a channel elsewhere before this one's close was recorded;
 * - `server`: the control plane closed it (`closeCode`: 1008 revoked, 4000 moved to another instance);
 * - `server-stop`: its instance stopped cleanly;
 * - `instance-lost`: its instance died; closed when another instance reaped the lease.
 */
export type SessionCloseReason =
  | 'device'
  | 'heartbeat'
  | 'replaced'
  | 'superseded'
  | 'server'
  | 'server-stop'
  | 'instance-lost';

export const SESSION_CLOSE_REASONS: readonly SessionCloseReason[] = [
  'device',
  'heartbeat',
  'replaced',
  'superseded',
  'server',
  'server-stop',
  'instance-lost',
];

export interface DeviceSessionRecord {
  /** The channel's session id (`chs_…`, the one in the welcome). */
  id: string;
  deviceId: string;
  instanceId: string;
  connectedAt: number;
  disconnectedAt: number | null;
  closeReason: SessionCloseReason | null;
  closeCode: number | null;
  runtime: DeviceRuntime | null;
}

/**
 * One session's part of a presence batch: opened, closed, or both (a channel that lived less than a batch).
 * An open of a session already stored (written again after a lost lease) re-opens it without touching its
 * start or runtime. An open closes the device's other sessions that began before it (`superseded`). A batch
 * names each session once (the notifier merges a session's open and close) and keeps the order they came in.
 */
export interface SessionChange {
  sessionId: string;
  deviceId: string;
  open?: { at: number; runtime?: DeviceRuntime };
  close?: { at: number; reason: SessionCloseReason; code?: number };
}

export interface SessionQuery {
  /** Sessions that were still open at or after this time (ended after it, or not yet). */
  since?: number;
  /** Newest first, at most this many. */
  limit: number;
}

export interface SessionRetention {
  /** Closed sessions that began before this are deleted. */
  before: number;
  /** At most this many sessions per device are kept (the newest). */
  keepPerDevice: number;
  /** Only these devices are checked against `keepPerDevice` (the ones that opened sessions lately). */
  deviceIds: readonly string[];
}

export interface DeviceSessionRepository {
  /** Newest first. */
  list(deviceId: string, q: SessionQuery): Promise<DeviceSessionRecord[]>;
  /** The newest session that told its runtime (the runtime the device runs now, or ran last). */
  latestRuntime(deviceId: string): Promise<{ runtime: DeviceRuntime; at: number } | undefined>;
  /** Deletes what retention no longer keeps; returns how many rows went. */
  prune(r: SessionRetention): Promise<number>;
}
