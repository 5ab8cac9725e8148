import type { ServiceAuditInput } from '../services-records.js';
import type { Queryable } from './pg-json.js';

/**
 * One service_audit row. The seq is a sequence value, so appends from any number of instances at once are
 * all kept (a sequence never hands a value out twice and an INSERT never overwrites).
 */
export async function appendServiceAudit(c: Queryable, a: ServiceAuditInput): Promise<void> {
  await c.query(
    'INSERT INTO service_audit (at, actor, action, entity, entity_id, detail) VALUES ($1, $2, $3, $4, $5, $6)',
    [a.at, a.actor, a.action, a.entity, a.entityId, a.detail ? JSON.stringify(a.detail) : null],
  );
}
