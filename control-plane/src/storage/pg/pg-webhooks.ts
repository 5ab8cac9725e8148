import {
  type DeliveryRow,
  type EndpointRow,
  FAILED_BY_DISABLE,
  mergePatch,
  toDelivery,
  toEndpoint,
} from '../sqlite/sqlite-webhooks.js';
import type {
  DeliveryClaim,
  DeliveryOutcome,
  DeliveryState,
  NewDelivery,
  WebhookDeliveryRecord,
  WebhookEndpointPatch,
  WebhookEndpointRecord,
  WebhookRepository,
} from '../webhook-repository.js';
import type { PgDatabase } from './pg-database.js';

/** PostgreSQL twin of SqliteWebhooks (same columns, same row mappers). */
export class PgWebhooks implements WebhookRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async createEndpoint(e: WebhookEndpointRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO webhook_endpoints (id, node_id, url, secret_sealed, events, description, enabled, disabled_reason,
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
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
      ],
    );
  }

  async getEndpoint(id: string): Promise<WebhookEndpointRecord | undefined> {
    const row = (await this.#db.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1', [id]))
      .rows[0];
    return row && toEndpoint(row);
  }

  async listEndpoints(nodeIds: readonly string[]): Promise<WebhookEndpointRecord[]> {
    if (nodeIds.length === 0) return [];
    const { rows } = await this.#db.query<EndpointRow>(
      'SELECT * FROM webhook_endpoints WHERE node_id = ANY($1::text[]) ORDER BY created_at, id',
      [nodeIds],
    );
    return rows.map(toEndpoint);
  }

  async updateEndpoint(id: string, patch: WebhookEndpointPatch, at: number) {
    return this.#db.tx(async (c): Promise<WebhookEndpointRecord | undefined> => {
      const row = (
        await c.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1 FOR UPDATE', [id])
      ).rows[0];
      if (!row) return undefined;
      const next = { ...mergePatch(toEndpoint(row), patch), updatedAt: at };
      await c.query(
        `UPDATE webhook_endpoints SET url = $1, events = $2, description = $3, enabled = $4, disabled_reason = $5,
           updated_at = $6, secret_sealed = $8 WHERE id = $7`,
        [
          next.url,
          JSON.stringify(next.events),
          next.description,
          next.enabled ? 1 : 0,
          next.disabledReason,
          at,
          id,
          next.secretSealed,
        ],
      );
      if (!next.enabled) {
        await c.query(
          `UPDATE webhook_deliveries SET state = 'failed', last_error = $1, lease_owner = NULL, lease_until = NULL,
             updated_at = $2 WHERE endpoint_id = $3 AND state = 'pending'`,
          [FAILED_BY_DISABLE, at, id],
        );
      }
      return next;
    });
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return this.#db.tx(async (c) => {
      await c.query('DELETE FROM webhook_deliveries WHERE endpoint_id = $1', [id]);
      return ((await c.query('DELETE FROM webhook_endpoints WHERE id = $1', [id])).rowCount ?? 0) === 1;
    });
  }

  /** One statement for the whole batch (unnest), so it is atomic without an explicit transaction. */
  async enqueue(deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const col = <K extends keyof NewDelivery>(k: K) => deliveries.map((d) => d[k]);
    const res = await this.#db.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body, state, attempts, next_attempt_at,
         created_at, updated_at)
       SELECT id, endpoint_id, event_id, event_type, body, 'pending', 0, at, at, at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
           AS t(id, endpoint_id, event_id, event_type, body, at)
       ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      [col('id'), col('endpointId'), col('eventId'), col('eventType'), col('body'), col('createdAt')],
    );
    return res.rowCount ?? 0;
  }

  /**
   * FOR UPDATE SKIP LOCKED: a row another claim is leasing right now is skipped, not waited for, and a row
   * it leased already no longer matches the WHERE when re-checked after the lock (READ COMMITTED re-evaluates
   * it on the newest version), so each delivery goes to exactly one claimer.
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<DeliveryClaim[]> {
    const { rows } = await this.#db.query<DeliveryRow & { ep_url: string; ep_secret: string }>(
      `UPDATE webhook_deliveries d
          SET lease_owner = $1, lease_until = $2, attempts = d.attempts + 1, updated_at = $3
         FROM webhook_endpoints e
        WHERE e.id = d.endpoint_id AND d.id IN (
              SELECT d2.id FROM webhook_deliveries d2 JOIN webhook_endpoints e2 ON e2.id = d2.endpoint_id
               WHERE d2.state = 'pending' AND d2.next_attempt_at <= $3
                 AND (d2.lease_until IS NULL OR d2.lease_until <= $3) AND e2.enabled = 1
               ORDER BY d2.next_attempt_at, d2.id LIMIT $4
                 FOR UPDATE OF d2 SKIP LOCKED)
       RETURNING d.*, e.url AS ep_url, e.secret_sealed AS ep_secret`,
      [owner, now + leaseMs, now, limit],
    );
    return rows
      .map((r) => ({ delivery: toDelivery(r), url: r.ep_url, secretSealed: r.ep_secret }))
      .sort((a, b) => a.delivery.nextAttemptAt - b.delivery.nextAttemptAt);
  }

  async complete(id: string, owner: string, o: DeliveryOutcome): Promise<boolean> {
    const res = await this.#db.query(
      `UPDATE webhook_deliveries SET state = $1, next_attempt_at = $2, last_status = $3, last_error = $4,
         delivered_at = $5, lease_owner = NULL, lease_until = NULL, updated_at = $6
        WHERE id = $7 AND lease_owner = $8 AND state = 'pending'`,
      [
        o.state,
        o.nextAttemptAt,
        o.lastStatus,
        o.lastError,
        o.state === 'delivered' ? o.at : null,
        o.at,
        id,
        owner,
      ],
    );
    return res.rowCount === 1;
  }

  async getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined> {
    const row = (await this.#db.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]))
      .rows[0];
    return row && toDelivery(row);
  }

  async listDeliveries(endpointId: string, opts: { limit: number; state?: DeliveryState }) {
    const { rows } = await this.#db.query<DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND ($2::text IS NULL OR state = $2)
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [endpointId, opts.state ?? null, opts.limit],
    );
    return rows.map(toDelivery);
  }

  async prune(before: number): Promise<number> {
    const res = await this.#db.query(
      "DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed') AND updated_at < $1",
      [before],
    );
    return res.rowCount ?? 0;
  }
}
