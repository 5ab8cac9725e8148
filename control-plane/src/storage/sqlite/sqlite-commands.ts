import type { Database } from 'better-sqlite3';
import type { CommandOp, CommandState } from '../../../../protocol/schemas/fleet.js';
import type {
  CommandRecord,
  CommandRepository,
  FinalCommandState,
  NewCommand,
} from '../commands-repository.js';
import { prepared } from './statements.js';

export interface CommandRow {
  id: string;
  device_id: string;
  seq: number;
  op: CommandOp;
  args: string;
  state: CommandState;
  created_by: string;
  issued_at: number;
  expires_at: number;
  envelope: string;
  sent_at: number | null;
  done_at: number | null;
  result: string | null;
}

/** Shared with pg-commands.ts: the columns are the same (JSON as text). */
export const toCommand = (r: CommandRow): CommandRecord => ({
  id: r.id,
  deviceId: r.device_id,
  seq: r.seq,
  op: r.op,
  args: JSON.parse(r.args) as CommandRecord['args'],
  state: r.state,
  createdBy: r.created_by,
  issuedAt: r.issued_at,
  expiresAt: r.expires_at,
  envelope: JSON.parse(r.envelope) as unknown,
  sentAt: r.sent_at,
  doneAt: r.done_at,
  result: r.result === null ? null : (JSON.parse(r.result) as CommandRecord['result']),
});

const NEXT_SEQ = `INSERT INTO device_command_seqs (device_id, last_seq) VALUES (?, 1)
  ON CONFLICT (device_id) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`;
const INSERT = `INSERT INTO device_commands
  (id, device_id, seq, op, args, state, created_by, issued_at, expires_at, envelope, sent_at, done_at, result)
  VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, NULL, NULL, NULL)`;

export class SqliteCommands implements CommandRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async create(c: NewCommand, seal: (seq: number) => unknown): Promise<CommandRecord> {
    const run = this.#db.transaction((): CommandRecord => {
      const { last_seq: seq } = prepared(this.#db, NEXT_SEQ).get(c.deviceId) as { last_seq: number };
      const envelope = seal(seq);
      prepared(this.#db, INSERT).run(
        c.id,
        c.deviceId,
        seq,
        c.op,
        JSON.stringify(c.args),
        c.createdBy,
        c.issuedAt,
        c.expiresAt,
        JSON.stringify(envelope),
      );
      return { ...c, seq, state: 'pending', envelope, sentAt: null, doneAt: null, result: null };
    });
    // IMMEDIATE: read-then-write across processes (a deferred one fails with SQLITE_BUSY when another wrote).
    return run.immediate();
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const r = prepared(this.#db, 'SELECT * FROM device_commands WHERE id = ?').get(id) as
      | CommandRow
      | undefined;
    return r ? toCommand(r) : undefined;
  }

  async listForDevice(deviceId: string, limit: number): Promise<CommandRecord[]> {
    const rows = prepared(
      this.#db,
      'SELECT * FROM device_commands WHERE device_id = ? ORDER BY seq DESC LIMIT ?',
    ).all(deviceId, limit) as CommandRow[];
    return rows.map(toCommand);
  }

  async listDeliverable(deviceId: string, now: number): Promise<CommandRecord[]> {
    const rows = prepared(
      this.#db,
      `SELECT * FROM device_commands WHERE device_id = ? AND state IN ('pending','sent') AND expires_at > ?
        ORDER BY seq`,
    ).all(deviceId, now) as CommandRow[];
    return rows.map(toCommand);
  }

  async markSent(id: string, at: number): Promise<boolean> {
    return (
      prepared(
        this.#db,
        "UPDATE device_commands SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'pending'",
      ).run(at, id).changes === 1
    );
  }

  async finish(
    id: string,
    state: FinalCommandState,
    result: CommandRecord['result'],
    at: number,
  ): Promise<boolean> {
    return (
      prepared(
        this.#db,
        `UPDATE device_commands SET state = ?, result = ?, done_at = ?
          WHERE id = ? AND result IS NULL AND state IN ('pending','sent','expired')`,
      ).run(state, JSON.stringify(result), at, id).changes === 1
    );
  }

  async expireDue(now: number): Promise<string[]> {
    const rows = prepared(
      this.#db,
      `UPDATE device_commands SET state = 'expired', done_at = ?
        WHERE state IN ('pending','sent') AND expires_at <= ? RETURNING id`,
    ).all(now, now) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
