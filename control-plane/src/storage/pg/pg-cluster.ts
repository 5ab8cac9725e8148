import type {
  ClusterRepository,
  InstanceRecord,
  MailRecord,
  NoncePurpose,
  NonceRecord,
  PresenceChange,
  PresenceRecord,
} from '../cluster-repository.js';
import type { SessionChange } from '../device-sessions-repository.js';
import type { PgDatabase } from './pg-database.js';
import { PgDeviceSessions } from './pg-device-sessions.js';

interface MailRow {
  seq: number;
  instance_id: string;
  kind: string;
  body: string;
  created_at: number;
}

const mail = (r: MailRow): MailRecord => ({
  seq: r.seq,
  instanceId: r.instance_id,
  kind: r.kind,
  body: r.body,
  createdAt: r.created_at,
});

const subjectKey = (s: string | null): string => s ?? '';

/**
 * PostgreSQL cluster tables. Single statements are atomic on their own (a nonce or a message is taken with
 * DELETE … RETURNING, so of two instances racing exactly one gets it); the multi-table cleanups run in one
 * transaction. `db` is public so the PostgreSQL bus can open its LISTEN connection to the same server.
 */
export class PgCluster implements ClusterRepository {
  readonly db: PgDatabase;
  readonly #sessions: PgDeviceSessions;

  constructor(db: PgDatabase, sessions = new PgDeviceSessions(db)) {
    this.db = db;
    this.#sessions = sessions;
  }

  async heartbeat(instanceId: string, startedAt: number, at: number): Promise<boolean> {
    // xmax = 0 on the returned row: it was inserted, not updated (the lease was new or had been reaped).
    const { rows } = await this.db.query<{ inserted: boolean }>(
      `INSERT INTO cluster_instances (id, started_at, heartbeat_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at
       RETURNING (xmax = 0) AS inserted`,
      [instanceId, startedAt, at],
    );
    return rows[0]?.inserted === false;
  }

  async liveInstances(cutoff: number): Promise<InstanceRecord[]> {
    const { rows } = await this.db.query<{ id: string; started_at: number; heartbeat_at: number }>(
      'SELECT id, started_at, heartbeat_at FROM cluster_instances WHERE heartbeat_at > $1 ORDER BY id',
      [cutoff],
    );
    return rows.map((r) => ({ id: r.id, startedAt: r.started_at, heartbeatAt: r.heartbeat_at }));
  }

  async reapInstances(cutoff: number, at: number): Promise<string[]> {
    return this.db.tx(async (c) => {
      const { rows } = await c.query<{ id: string }>(
        'DELETE FROM cluster_instances WHERE heartbeat_at <= $1 RETURNING id',
        [cutoff],
      );
      const ids = rows.map((r) => r.id);
      if (ids.length > 0) {
        await this.#sessions.closeOpenOf(c, ids, at, 'instance-lost');
        await c.query('DELETE FROM device_presence WHERE instance_id = ANY($1)', [ids]);
        await c.query('DELETE FROM cluster_mail WHERE instance_id = ANY($1)', [ids]);
        await c.query('DELETE FROM cluster_requests WHERE instance_id = ANY($1)', [ids]);
      }
      await c.query('DELETE FROM cluster_requests WHERE expires_at <= $1', [cutoff]);
      return ids;
    });
  }

  async removeInstance(instanceId: string, at: number): Promise<void> {
    await this.db.tx(async (c) => {
      await this.#sessions.closeOpenOf(c, [instanceId], at, 'server-stop');
      await c.query('DELETE FROM device_presence WHERE instance_id = $1', [instanceId]);
      await c.query('DELETE FROM cluster_mail WHERE instance_id = $1', [instanceId]);
      await c.query('DELETE FROM cluster_requests WHERE instance_id = $1', [instanceId]);
      await c.query('DELETE FROM cluster_instances WHERE id = $1', [instanceId]);
    });
  }

  async applyPresence(
    instanceId: string,
    changes: readonly PresenceChange[],
    sessions: readonly SessionChange[] = [],
  ): Promise<PresenceChange[]> {
    if (changes.length === 0 && sessions.length === 0) return [];
    // A batch holds each device once (the notifier keeps only its latest change), so opens and closes of
    // different devices can go in two set-based statements.
    const opens = changes.filter((c) => c.connected);
    const closes = changes.filter((c) => !c.connected);
    return this.db.tx(async (c) => {
      // Online history first, in the same transaction as the presence it goes with.
      if (sessions.length > 0) await this.#sessions.write(c, instanceId, sessions);
      if (opens.length > 0) {
        await c.query(
          `INSERT INTO device_presence (device_id, instance_id, since)
           SELECT d, $1, s FROM unnest($2::text[], $3::bigint[]) AS t(d, s)
           ON CONFLICT (device_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, since = EXCLUDED.since`,
          [instanceId, opens.map((o) => o.deviceId), opens.map((o) => o.since)],
        );
      }
      if (closes.length === 0) return opens;
      const { rows } = await c.query<{ device_id: string }>(
        'DELETE FROM device_presence WHERE instance_id = $1 AND device_id = ANY($2) RETURNING device_id',
        [instanceId, closes.map((x) => x.deviceId)],
      );
      const gone = new Set(rows.map((r) => r.device_id));
      return [...opens, ...closes.filter((x) => gone.has(x.deviceId))];
    });
  }

  async listPresence(cutoff: number): Promise<PresenceRecord[]> {
    const { rows } = await this.db.query<{ device_id: string; instance_id: string; since: number }>(
      `SELECT p.device_id, p.instance_id, p.since FROM device_presence p
       JOIN cluster_instances i ON i.id = p.instance_id WHERE i.heartbeat_at > $1`,
      [cutoff],
    );
    return rows.map((r) => ({ deviceId: r.device_id, instanceId: r.instance_id, since: r.since }));
  }

  async issueNonce(n: NonceRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO challenge_nonces (nonce, purpose, subject, expires_at) VALUES ($1, $2, $3, $4)',
      [n.nonce, n.purpose, subjectKey(n.subject), n.expiresAt],
    );
  }

  async nonceLive(
    nonce: string,
    purpose: NoncePurpose,
    subject: string | null,
    now: number,
  ): Promise<boolean> {
    const r = await this.db.query(
      `SELECT 1 FROM challenge_nonces
       WHERE nonce = $1 AND purpose = $2 AND subject = $3 AND expires_at > $4`,
      [nonce, purpose, subjectKey(subject), now],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async takeNonce(
    nonce: string,
    purpose: NoncePurpose,
    subject: string | null,
    now: number,
  ): Promise<boolean> {
    const r = await this.db.query(
      `DELETE FROM challenge_nonces
       WHERE nonce = $1 AND purpose = $2 AND subject = $3 AND expires_at > $4 RETURNING nonce`,
      [nonce, purpose, subjectKey(subject), now],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async pruneNonces(now: number): Promise<number> {
    return (await this.db.query('DELETE FROM challenge_nonces WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async postMail(instanceId: string, kind: string, body: string, at: number): Promise<number> {
    const { rows } = await this.db.query<{ seq: number }>(
      'INSERT INTO cluster_mail (instance_id, kind, body, created_at) VALUES ($1, $2, $3, $4) RETURNING seq',
      [instanceId, kind, body, at],
    );
    const seq = rows[0]?.seq;
    if (seq === undefined) throw new Error('INSERT … RETURNING seq returned no row');
    return seq;
  }

  async takeMail(instanceId: string, seq: number): Promise<MailRecord | undefined> {
    const { rows } = await this.db.query<MailRow>(
      `DELETE FROM cluster_mail WHERE instance_id = $1 AND seq = $2
       RETURNING seq, instance_id, kind, body, created_at`,
      [instanceId, seq],
    );
    return rows[0] && mail(rows[0]);
  }

  async takeAllMail(instanceId: string): Promise<MailRecord[]> {
    const { rows } = await this.db.query<MailRow>(
      'DELETE FROM cluster_mail WHERE instance_id = $1 RETURNING seq, instance_id, kind, body, created_at',
      [instanceId],
    );
    return rows.map(mail).sort((a, b) => a.seq - b.seq);
  }

  async pruneMail(before: number): Promise<number> {
    return (await this.db.query('DELETE FROM cluster_mail WHERE created_at < $1', [before])).rowCount ?? 0;
  }

  async trackRequest(id: string, instanceId: string, deviceId: string, expiresAt: number): Promise<void> {
    await this.db.query(
      `INSERT INTO cluster_requests (id, instance_id, device_id, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET instance_id = EXCLUDED.instance_id, device_id = EXCLUDED.device_id,
         expires_at = EXCLUDED.expires_at`,
      [id, instanceId, deviceId, expiresAt],
    );
  }

  async requestOwner(id: string, deviceId: string, now: number): Promise<string | undefined> {
    const { rows } = await this.db.query<{ instance_id: string }>(
      'SELECT instance_id FROM cluster_requests WHERE id = $1 AND device_id = $2 AND expires_at > $3',
      [id, deviceId, now],
    );
    return rows[0]?.instance_id;
  }

  async dropRequest(id: string): Promise<void> {
    await this.db.query('DELETE FROM cluster_requests WHERE id = $1', [id]);
  }
}
