import type { SessionChange } from './device-sessions-repository.js';

/**
 * What several control-plane instances share through the store (issue 11): who is alive (a lease renewed by
 * heartbeat), which instance holds each device's channel, single-use challenge nonces, the small mailbox the
 * bus points into (a NOTIFY carries a message's seq, the body is read here), and which instance waits for a
 * device's answer to a command.
 */
export interface InstanceRecord {
  id: string;
  startedAt: number;
  heartbeatAt: number;
}

export interface PresenceRecord {
  deviceId: string;
  instanceId: string;
  since: number;
}

export interface PresenceChange {
  deviceId: string;
  connected: boolean;
  since: number;
}

export type NoncePurpose = 'enroll' | 'session';

export interface NonceRecord {
  nonce: string;
  purpose: NoncePurpose;
  /** The device the nonce was issued to, or null (enrollment: no device yet). */
  subject: string | null;
  expiresAt: number;
}

export interface MailRecord {
  seq: number;
  instanceId: string;
  kind: string;
  body: string;
  createdAt: number;
}

export interface ClusterRepository {
  /** Renews this instance's lease (true) or creates it (false: new, or another instance reaped it). */
  heartbeat(instanceId: string, startedAt: number, at: number): Promise<boolean>;
  /** Instances whose lease was renewed after `cutoff`. */
  liveInstances(cutoff: number): Promise<InstanceRecord[]>;
  /**
   * Drops the lease, presence and mail of instances not heard from since `cutoff` and closes their open
   * device sessions at `at` (`instance-lost`); returns their ids.
   */
  reapInstances(cutoff: number, at: number): Promise<string[]>;
  /** Drops one instance's lease, presence and mail, closing its open sessions at `at` (a clean stop). */
  removeInstance(instanceId: string, at: number): Promise<void>;

  /**
   * One batch of this instance's channel opens and closes, in one transaction. An open makes this instance
   * the holder (a move simply overwrites it); a close clears the presence only if this instance still holds
   * it. Returns the changes that took effect (opens always; closes that found their row). The channel
   * sessions of the same opens and closes (online history, `DeviceSessionRepository`) are written in the
   * same transaction.
   */
  applyPresence(
    instanceId: string,
    changes: readonly PresenceChange[],
    sessions?: readonly SessionChange[],
  ): Promise<PresenceChange[]>;
  /** Presence held by instances whose lease is newer than `cutoff` (a dead instance's devices are offline). */
  listPresence(cutoff: number): Promise<PresenceRecord[]>;

  issueNonce(n: NonceRecord): Promise<void>;
  nonceLive(nonce: string, purpose: NoncePurpose, subject: string | null, now: number): Promise<boolean>;
  /** Atomically consumes a live nonce: of two concurrent takes (any instances) exactly one gets true. */
  takeNonce(nonce: string, purpose: NoncePurpose, subject: string | null, now: number): Promise<boolean>;
  pruneNonces(now: number): Promise<number>;

  /** Stores a message for one instance; returns its seq (what goes over the bus). */
  postMail(instanceId: string, kind: string, body: string, at: number): Promise<number>;
  /** Takes (reads and deletes) one message addressed to this instance; undefined if already taken. */
  takeMail(instanceId: string, seq: number): Promise<MailRecord | undefined>;
  /** Takes every message still waiting for this instance, oldest first (catch-up after a reconnect). */
  takeAllMail(instanceId: string): Promise<MailRecord[]>;
  pruneMail(before: number): Promise<number>;

  /** This instance waits for the device's answer to request `id` until `expiresAt`. */
  trackRequest(id: string, instanceId: string, deviceId: string, expiresAt: number): Promise<void>;
  /** The instance waiting for this device's answer to `id`, if it is still waiting. */
  requestOwner(id: string, deviceId: string, now: number): Promise<string | undefined>;
  dropRequest(id: string): Promise<void>;
}
