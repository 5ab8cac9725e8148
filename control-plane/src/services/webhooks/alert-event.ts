import type { WebhookEvent } from './webhook-service.js';

/**
 * The least an alert must carry to become a webhook event, so the alerts code (health-alerts) can publish
 * with one call: `webhooks.publish(alertEvent(alert, 'opened'))`, right after its transition committed.
 */
export interface AlertLike {
  id: string;
  rule: string;
  nodeId: string;
  deviceId?: string | null;
  state: string;
  /** ms since the epoch */
  openedAt: number;
  detail?: unknown;
}

export type AlertTransition = 'opened' | 'acknowledged' | 'resolved';

/**
 * The event for one transition of one alert. Its id is `<alertId>.<transition>`, so publishing the same
 * transition again (a retry after a crash) enqueues nothing new, while each transition is its own event.
 */
export function alertEvent(alert: AlertLike, to: AlertTransition, at: number = Date.now()): WebhookEvent {
  return {
    id: `${alert.id}.${to}`,
    type: `alert.${to}`,
    nodeId: alert.nodeId,
    occurredAt: at,
    data: {
      alertId: alert.id,
      rule: alert.rule,
      state: alert.state,
      deviceId: alert.deviceId ?? null,
      openedAt: new Date(alert.openedAt).toISOString(),
      detail: alert.detail ?? null,
    },
  };
}
