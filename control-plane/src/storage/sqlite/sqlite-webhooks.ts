import type { Database } from 'better-sqlite3';
import type {
  DeliveryClaim,
  DeliveryOutcome,
  DeliveryState,
  NewDelivery,
  WebhookDeliveryRecord,
  WebhookEndpointPatch,
  WebhookEndpointRecord,
  WebhookEventType,
  WebhookRepository,
} from '../webhook-repository.js';
import { prepared } from './statements.js';

export interface EndpointRow {
  id: string;
  node_id: string;
  url: string;
  secret_sealed: string;
  events: string;
  description: string;
  enabled: number;
  disabled_reason: string | null;
  created_by: string;
  created_at: number | string;
  updated_at: number | string;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  body: string;
  state: string;
  attempts: number;
  next_attempt_at: number | string;
  lease_owner: string | null;
  lease_until: number | string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number | string;
  updated_at: number | string;
  delivered_at: number | string | null;
}

/** PostgreSQL returns BIGINT as a string; both stores share these mappers. */
const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

export const toEndpoint = (r: EndpointRow): WebhookEndpointRecord => ({
  id: r.id,
  nodeId: r.node_id,
  url: r.url,
  secretSealed: r.secret_sealed,
  events: JSON.parse(r.events) as WebhookEventType[],
  description: r.description,
  enabled: r.enabled === 1,
  disabledReason: r.disabled_reason,
  createdBy: r.created_by,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

export const toDelivery = (r: DeliveryRow): WebhookDeliveryRecord => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type as WebhookEventType,
  body: r.body,
  state: r.state as DeliveryState,
  attempts: r.attempts,
  nextAttemptAt: num(r.next_attempt_at),
  leaseOwner: r.lease_owner,
  leaseUntil: numOrNull(r.lease_until),
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
  deliveredAt: numOrNull(r.delivered_at),
});

/** The endpoint columns an update may set, in a fixed order (the SQL text stays one prepared statement). */
export function mergePatch(cur: WebhookEndpointRecord, patch: WebhookEndpointPatch): WebhookEndpointRecord {
  const enabled = patch.enabled ?? cur.enabled;
  return {
    ...cur,
    url: patch.url ?? cur.url,
    secretSealed: patch.secretSealed ?? cur.secretSealed,
    events: patch.events ?? cur.events,
    description: patch.description ?? cur.description,
    enabled,
    disabledReason: enabled
      ? null
      : patch.disabledReason !== undefined
        ? patch.disabledReason
        : cur.disabledReason,
  };
}

export const FAILED_BY_DISABLE = 'the endpoint was switched off before this delivery was sent';

export class SqliteWebhooks implements WebhookRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async createEndpoint(e: WebhookEndpointRecord): Promise<void> {
    prepared(
      this.#db,
      `INSERT INTO webhook_endpoints (id, node_id, url, secret_sealed, events, description, enabled, disabled_reason,
         created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.id,
      e.nodeId,
      e.url,
      e.secretSealed,
      JSON.stringify(e.events),
      e.description,
      e.enabled ? 1 : 0,
      e.disabledReason,
      e.createdBy,
      e.createdAt,
      e.updatedAt,
    );
  }

  async getEndpoint(id: string): Promise<WebhookEndpointRecord | undefined> {
    const row = prepared(this.#db, 'SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as
      | EndpointRow
      | undefined;
    return row && toEndpoint(row);
  }

  async listEndpoints(nodeIds: readonly string[]): Promise<WebhookEndpointRecord[]> {
    if (nodeIds.length === 0) return [];
    const rows = prepared(
      this.#db,
      `SELECT * FROM webhook_endpoints WHERE node_id IN (SELECT value FROM json_each(?))
        ORDER BY created_at, id`,
    ).all(JSON.stringify(nodeIds)) as EndpointRow[];
    return rows.map(toEndpoint);
  }

  async updateEndpoint(id: string, patch: WebhookEndpointPatch, at: number) {
    return this.#db.transaction((): WebhookEndpointRecord | undefined => {
      const row = prepared(this.#db, 'SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as
        | EndpointRow
        | undefined;
      if (!row) return undefined;
      const next = { ...mergePatch(toEndpoint(row), patch), updatedAt: at };
      prepared(
        this.#db,
        `UPDATE webhook_endpoints SET url = ?, events = ?, description = ?, enabled = ?, disabled_reason = ?,
           updated_at = ?, secret_sealed = ? WHERE id = ?`,
      ).run(
        next.url,
        JSON.stringify(next.events),
        next.description,
        next.enabled ? 1 : 0,
        next.disabledReason,
        at,
        next.secretSealed,
        id,
      );
      if (!next.enabled) {
        prepared(
          this.#db,
          `UPDATE webhook_deliveries SET state = 'failed', last_error = ?, lease_owner = NULL, lease_until = NULL,
             updated_at = ? WHERE endpoint_id = ? AND state = 'pending'`,
        ).run(FAILED_BY_DISABLE, at, id);
      }
      return next;
    })();
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return this.#db.transaction(() => {
      prepared(this.#db, 'DELETE FROM webhook_deliveries WHERE endpoint_id = ?').run(id);
      return prepared(this.#db, 'DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes === 1;
    })();
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const insert = prepared(
      this.#db,
      `INSERT OR IGNORE INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body, state, attempts,
         next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    return this.#db.transaction(() => {
      let n = 0;
      for (const d of deliveries) {
        n += insert.run(
          d.id,
          d.endpointId,
          d.eventId,
          d.eventType,
          d.body,
          d.createdAt,
          d.createdAt,
          d.createdAt,
        ).changes;
      }
      return n;
    })();
  }

  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<DeliveryClaim[]> {
    // IMMEDIATE: the write lock is taken before the read, so two processes cannot both see a row as free.
    return this.#db
      .transaction((): DeliveryClaim[] => {
        const rows = prepared(
          this.#db,
          `SELECT d.*, e.url AS ep_url, e.secret_sealed AS ep_secret FROM webhook_deliveries d
             JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
              AND e.enabled = 1
            ORDER BY d.next_attempt_at, d.id LIMIT ?`,
        ).all(now, now, limit) as (DeliveryRow & { ep_url: string; ep_secret: string })[];
        const lease = prepared(
          this.#db,
          `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
            WHERE id = ?`,
        );
        return rows.map((r) => {
          lease.run(owner, now + leaseMs, now, r.id);
          const delivery = toDelivery({
            ...r,
            lease_owner: owner,
            lease_until: now + leaseMs,
            attempts: r.attempts + 1,
            updated_at: now,
          });
          return { delivery, url: r.ep_url, secretSealed: r.ep_secret };
        });
      })
      .immediate();
  }

  async complete(id: string, owner: string, o: DeliveryOutcome): Promise<boolean> {
    return (
      prepared(
        this.#db,
        `UPDATE webhook_deliveries SET state = ?, next_attempt_at = ?, last_status = ?, last_error = ?,
           delivered_at = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
          WHERE id = ? AND lease_owner = ? AND state = 'pending'`,
      ).run(
        o.state,
        o.nextAttemptAt,
        o.lastStatus,
        o.lastError,
        o.state === 'delivered' ? o.at : null,
        o.at,
        id,
        owner,
      ).changes === 1
    );
  }

  async getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined> {
    const row = prepared(this.#db, 'SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as
      | DeliveryRow
      | undefined;
    return row && toDelivery(row);
  }

  async listDeliveries(endpointId: string, opts: { limit: number; state?: DeliveryState }) {
    const rows = prepared(
      this.#db,
      `SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND (? IS NULL OR state = ?)
        ORDER BY created_at DESC, id DESC LIMIT ?`,
    ).all(endpointId, opts.state ?? null, opts.state ?? null, opts.limit) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async prune(before: number): Promise<number> {
    return prepared(
      this.#db,
      "DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed') AND updated_at < ?",
    ).run(before).changes;
  }
}
