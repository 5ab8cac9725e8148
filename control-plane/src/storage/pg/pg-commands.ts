import type {
  CommandRecord,
  CommandRepository,
  FinalCommandState,
  NewCommand,
} from '../commands-repository.js';
import { type CommandRow, toCommand } from '../sqlite/sqlite-commands.js';
import type { PgDatabase } from './pg-database.js';

/**
 * Remote commands on PostgreSQL. The seq comes from an upsert on the device's counter row, which stays
 * row-locked until the insert commits: concurrent creates for one device queue there, so each gets the next
 * number and they commit in seq order. State changes are compare-and-sets on the row.
 */
export class PgCommands implements CommandRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async create(c: NewCommand, seal: (seq: number) => unknown): Promise<CommandRecord> {
    return this.#db.tx(async (client) => {
      const { rows } = await client.query<{ last_seq: number }>(
        `INSERT INTO device_command_seqs (device_id, last_seq) VALUES ($1, 1)
         ON CONFLICT (device_id) DO UPDATE SET last_seq = device_command_seqs.last_seq + 1 RETURNING last_seq`,
        [c.deviceId],
      );
      const seq = rows[0]!.last_seq;
      const envelope = seal(seq);
      await client.query(
        `INSERT INTO device_commands
           (id, device_id, seq, op, args, state, created_by, issued_at, expires_at, envelope, sent_at, done_at, result)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, NULL, NULL, NULL)`,
        [
          c.id,
          c.deviceId,
          seq,
          c.op,
          JSON.stringify(c.args),
          c.createdBy,
          c.issuedAt,
          c.expiresAt,
          JSON.stringify(envelope),
        ],
      );
      return { ...c, seq, state: 'pending' as const, envelope, sentAt: null, doneAt: null, result: null };
    });
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const r = (await this.#db.query<CommandRow>('SELECT * FROM device_commands WHERE id = $1', [id])).rows[0];
    return r ? toCommand(r) : undefined;
  }

  async listForDevice(deviceId: string, limit: number): Promise<CommandRecord[]> {
    const { rows } = await this.#db.query<CommandRow>(
      'SELECT * FROM device_commands WHERE device_id = $1 ORDER BY seq DESC LIMIT $2',
      [deviceId, limit],
    );
    return rows.map(toCommand);
  }

  async listDeliverable(deviceId: string, now: number): Promise<CommandRecord[]> {
    const { rows } = await this.#db.query<CommandRow>(
      `SELECT * FROM device_commands WHERE device_id = $1 AND state IN ('pending','sent') AND expires_at > $2
        ORDER BY seq`,
      [deviceId, now],
    );
    return rows.map(toCommand);
  }

  async markSent(id: string, at: number): Promise<boolean> {
    const res = await this.#db.query(
      "UPDATE device_commands SET state = 'sent', sent_at = $2 WHERE id = $1 AND state = 'pending'",
      [id, at],
    );
    return res.rowCount === 1;
  }

  async finish(
    id: string,
    state: FinalCommandState,
    result: CommandRecord['result'],
    at: number,
  ): Promise<boolean> {
    const res = await this.#db.query(
      `UPDATE device_commands SET state = $2, result = $3, done_at = $4
        WHERE id = $1 AND result IS NULL AND state IN ('pending','sent','expired')`,
      [id, state, JSON.stringify(result), at],
    );
    return res.rowCount === 1;
  }

  async expireDue(now: number): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>(
      `UPDATE device_commands SET state = 'expired', done_at = $1
        WHERE state IN ('pending','sent') AND expires_at <= $1 RETURNING id`,
      [now],
    );
    return rows.map((r) => r.id);
  }
}
