import { ALERT_RULES } from '../../../../protocol/schemas/alerts-admin.js';
import type { Repository } from '../../storage/repository.js';
import { alertEvent } from '../webhooks/alert-event.js';
import type { WebhookService } from '../webhooks/webhook-service.js';

/** How far back the catch-up looks: well beyond a restart after a crash. */
export const CATCH_UP_MS = 10 * 60_000;

/**
 * Webhook events of the alerts that opened or were acknowledged in the last CATCH_UP_MS, published again.
 * An alert's webhook event is queued right after its own commit; a crash between the two would lose the
 * event, so every instance's sweep calls this. Publishing is idempotent per alert and transition (event id
 * `<alertId>.<transition>`), so an event already queued adds nothing. Returns how many it queued anew.
 * (A resolution lost that way is not caught up: a resolved alert leaves the unresolved set this reads.)
 */
export async function republishRecentAlerts(
  repo: Pick<Repository, 'alerts'>,
  webhooks: Pick<WebhookService, 'publish'>,
  now: number,
): Promise<number> {
  let queued = 0;
  for (const a of await repo.alerts.unresolved(ALERT_RULES)) {
    if (now - a.openedAt < CATCH_UP_MS) queued += await webhooks.publish(alertEvent(a, 'opened', a.openedAt));
    if (a.ackedAt !== null && now - a.ackedAt < CATCH_UP_MS)
      queued += await webhooks.publish(alertEvent(a, 'acknowledged', a.ackedAt));
  }
  return queued;
}
