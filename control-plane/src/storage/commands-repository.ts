import type { CommandOp, CommandResult, CommandState } from '../../../protocol/schemas/fleet.js';

/** A remote command (issue 12): what was asked of which device, its signed envelope, and what came back. */
export interface CommandRecord {
  id: string;
  deviceId: string;
  /** Per device, strictly rising, never reused: allocated by the store inside the insert. */
  seq: number;
  op: CommandOp;
  args: Record<string, number | string>;
  state: CommandState;
  /** The admin who asked. */
  createdBy: string;
  /** Server clock, ms. */
  issuedAt: number;
  expiresAt: number;
  /** The signed `linli.command/v1` envelope exactly as sent (signed once, re-sent as is). */
  envelope: unknown;
  sentAt: number | null;
  doneAt: number | null;
  /** The device's signed result `{payload, sig}`, once it came. */
  result: { payload: CommandResult; sig: string } | null;
}

/** What the caller gives `create`; the store adds the seq, then `seal` signs with it. */
export interface NewCommand {
  id: string;
  deviceId: string;
  op: CommandOp;
  args: Record<string, number | string>;
  createdBy: string;
  issuedAt: number;
  expiresAt: number;
}

export type FinalCommandState = 'done' | 'failed' | 'rejected';

export interface CommandRepository {
  /**
   * Takes the device's next seq and inserts the command in one transaction; `seal(seq)` returns the signed
   * envelope (synchronous: nothing else runs inside the transaction). Two writers never get the same seq, and
   * a seq is committed before any higher one of the same device.
   */
  create(c: NewCommand, seal: (seq: number) => unknown): Promise<CommandRecord>;
  get(id: string): Promise<CommandRecord | undefined>;
  /** Newest first. */
  listForDevice(deviceId: string, limit: number): Promise<CommandRecord[]>;
  /** Not answered and not expired at `now`, oldest seq first: what a device gets when it connects. */
  listDeliverable(deviceId: string, now: number): Promise<CommandRecord[]>;
  /** pending → sent (compare-and-set); false when it was no longer pending. */
  markSent(id: string, at: number): Promise<boolean>;
  /**
   * Records the device's result once: from pending, sent or expired (a late answer is truer than "expired")
   * to its final state. False when a result is already recorded (a re-post changes nothing).
   */
  finish(id: string, state: FinalCommandState, result: CommandRecord['result'], at: number): Promise<boolean>;
  /** pending/sent whose expiry passed → expired; returns the ids. */
  expireDue(now: number): Promise<string[]>;
}
