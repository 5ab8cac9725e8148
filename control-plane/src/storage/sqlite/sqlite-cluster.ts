import type { Database } from 'better-sqlite3';
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
import { SqliteDeviceSessions } from './sqlite-device-sessions.js';

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

/** A nonce without a subject is stored with '' so the key comparison stays a plain equality. */
const subjectKey = (s: string | null): string => s ?? '';

/** Prepared once: the cluster paths run on every connect, heartbeat and challenge. */
function prepare(db: Database) {
  return {
    renew: db.prepare('UPDATE cluster_instances SET heartbeat_at = ? WHERE id = ?'),
    register: db.prepare('INSERT INTO cluster_instances (id, started_at, heartbeat_at) VALUES (?, ?, ?)'),
    live: db.prepare(
      'SELECT id, started_at, heartbeat_at FROM cluster_instances WHERE heartbeat_at > ? ORDER BY id',
    ),
    dead: db.prepare('SELECT id FROM cluster_instances WHERE heartbeat_at <= ?'),
    delInstance: db.prepare('DELETE FROM cluster_instances WHERE id = ?'),
    delPresenceOf: db.prepare('DELETE FROM device_presence WHERE instance_id = ?'),
    delMailOf: db.prepare('DELETE FROM cluster_mail WHERE instance_id = ?'),
    delRequestsOf: db.prepare('DELETE FROM cluster_requests WHERE instance_id = ?'),
    setPresence: db.prepare(`INSERT INTO device_presence (device_id, instance_id, since) VALUES (?, ?, ?)
                    ON CONFLICT (device_id) DO UPDATE SET instance_id = excluded.instance_id, since = excluded.since`),
    clearPresence: db.prepare('DELETE FROM device_presence WHERE device_id = ? AND instance_id = ?'),
    listPresence: db.prepare(`SELECT p.device_id, p.instance_id, p.since FROM device_presence p
                     JOIN cluster_instances i ON i.id = p.instance_id WHERE i.heartbeat_at > ?`),
    issueNonce: db.prepare(
      'INSERT INTO challenge_nonces (nonce, purpose, subject, expires_at) VALUES (?, ?, ?, ?)',
    ),
    nonceLive: db.prepare(`SELECT 1 AS one FROM challenge_nonces
                  WHERE nonce = ? AND purpose = ? AND subject = ? AND expires_at > ?`),
    takeNonce: db.prepare(`DELETE FROM challenge_nonces
                  WHERE nonce = ? AND purpose = ? AND subject = ? AND expires_at > ? RETURNING nonce`),
    pruneNonces: db.prepare('DELETE FROM challenge_nonces WHERE expires_at <= ?'),
    postMail: db.prepare(`INSERT INTO cluster_mail (instance_id, kind, body, created_at) VALUES (?, ?, ?, ?)
                 RETURNING seq`),
    takeMail: db.prepare(`DELETE FROM cluster_mail WHERE instance_id = ? AND seq = ?
                 RETURNING seq, instance_id, kind, body, created_at`),
    takeAllMail: db.prepare(`DELETE FROM cluster_mail WHERE instance_id = ?
                    RETURNING seq, instance_id, kind, body, created_at`),
    pruneMail: db.prepare('DELETE FROM cluster_mail WHERE created_at < ?'),
    trackRequest:
      db.prepare(`INSERT INTO cluster_requests (id, instance_id, device_id, expires_at) VALUES (?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET instance_id = excluded.instance_id,
                       device_id = excluded.device_id, expires_at = excluded.expires_at`),
    requestOwner: db.prepare(
      `SELECT instance_id FROM cluster_requests WHERE id = ? AND device_id = ? AND expires_at > ?`,
    ),
    dropRequest: db.prepare('DELETE FROM cluster_requests WHERE id = ?'),
    pruneRequests: db.prepare('DELETE FROM cluster_requests WHERE expires_at <= ?'),
  };
}

/** SQLite cluster tables: one process usually, but several apps on one file behave like instances. */
export class SqliteCluster implements ClusterRepository {
  readonly #db: Database;
  readonly #s: ReturnType<typeof prepare>;
  readonly #sessions: SqliteDeviceSessions;

  constructor(db: Database, sessions = new SqliteDeviceSessions(db)) {
    this.#db = db;
    this.#s = prepare(db);
    this.#sessions = sessions;
  }

  async heartbeat(instanceId: string, startedAt: number, at: number): Promise<boolean> {
    return this.#db.transaction(() => {
      if (this.#s.renew.run(at, instanceId).changes > 0) return true;
      this.#s.register.run(instanceId, startedAt, at);
      return false;
    })();
  }

  async liveInstances(cutoff: number): Promise<InstanceRecord[]> {
    const rows = this.#s.live.all(cutoff) as { id: string; started_at: number; heartbeat_at: number }[];
    return rows.map((r) => ({ id: r.id, startedAt: r.started_at, heartbeatAt: r.heartbeat_at }));
  }

  async reapInstances(cutoff: number, at: number): Promise<string[]> {
    return this.#db.transaction(() => {
      const ids = (this.#s.dead.all(cutoff) as { id: string }[]).map((r) => r.id);
      for (const id of ids) this.#remove(id, at, 'instance-lost');
      this.#s.pruneRequests.run(cutoff);
      return ids;
    })();
  }

  async removeInstance(instanceId: string, at: number): Promise<void> {
    this.#db.transaction(() => this.#remove(instanceId, at, 'server-stop'))();
  }

  async applyPresence(
    instanceId: string,
    changes: readonly PresenceChange[],
    sessions: readonly SessionChange[] = [],
  ): Promise<PresenceChange[]> {
    // One transaction, one fsync, for a whole reconnect wave (its online history included).
    return this.#db.transaction(() => {
      const done = changes.filter((c) => {
        if (c.connected) {
          this.#s.setPresence.run(c.deviceId, instanceId, c.since);
          return true;
        }
        return this.#s.clearPresence.run(c.deviceId, instanceId).changes > 0;
      });
      if (sessions.length > 0) this.#sessions.write(instanceId, sessions);
      return done;
    })();
  }

  async listPresence(cutoff: number): Promise<PresenceRecord[]> {
    const rows = this.#s.listPresence.all(cutoff) as {
      device_id: string;
      instance_id: string;
      since: number;
    }[];
    return rows.map((r) => ({ deviceId: r.device_id, instanceId: r.instance_id, since: r.since }));
  }

  async issueNonce(n: NonceRecord): Promise<void> {
    this.#s.issueNonce.run(n.nonce, n.purpose, subjectKey(n.subject), n.expiresAt);
  }

  async nonceLive(
    nonce: string,
    purpose: NoncePurpose,
    subject: string | null,
    now: number,
  ): Promise<boolean> {
    return this.#s.nonceLive.get(nonce, purpose, subjectKey(subject), now) !== undefined;
  }

  async takeNonce(
    nonce: string,
    purpose: NoncePurpose,
    subject: string | null,
    now: number,
  ): Promise<boolean> {
    return this.#s.takeNonce.get(nonce, purpose, subjectKey(subject), now) !== undefined;
  }

  async pruneNonces(now: number): Promise<number> {
    return this.#s.pruneNonces.run(now).changes;
  }

  async postMail(instanceId: string, kind: string, body: string, at: number): Promise<number> {
    return (this.#s.postMail.get(instanceId, kind, body, at) as { seq: number }).seq;
  }

  async takeMail(instanceId: string, seq: number): Promise<MailRecord | undefined> {
    const row = this.#s.takeMail.get(instanceId, seq) as MailRow | undefined;
    return row && mail(row);
  }

  async takeAllMail(instanceId: string): Promise<MailRecord[]> {
    const rows = this.#s.takeAllMail.all(instanceId) as MailRow[];
    return rows.map(mail).sort((a, b) => a.seq - b.seq);
  }

  async pruneMail(before: number): Promise<number> {
    return this.#s.pruneMail.run(before).changes;
  }

  async trackRequest(id: string, instanceId: string, deviceId: string, expiresAt: number): Promise<void> {
    this.#s.trackRequest.run(id, instanceId, deviceId, expiresAt);
  }

  async requestOwner(id: string, deviceId: string, now: number): Promise<string | undefined> {
    const row = this.#s.requestOwner.get(id, deviceId, now) as { instance_id: string } | undefined;
    return row?.instance_id;
  }

  async dropRequest(id: string): Promise<void> {
    this.#s.dropRequest.run(id);
  }

  #remove(id: string, at: number, reason: 'instance-lost' | 'server-stop'): void {
    this.#sessions.closeOpenOf(id, at, reason);
    this.#s.delPresenceOf.run(id);
    this.#s.delMailOf.run(id);
    this.#s.delRequestsOf.run(id);
    this.#s.delInstance.run(id);
  }
}
