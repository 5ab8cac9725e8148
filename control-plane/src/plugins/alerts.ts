import fp from 'fastify-plugin';
import { ALERT_RULES } from '../../../protocol/schemas/alerts-admin.js';
import { AlertService } from '../services/alerts/alert-service.js';
import { republishRecentAlerts } from '../services/alerts/alert-webhooks.js';
import { alertEvent } from '../services/webhooks/alert-event.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Device health and alerts (issue 12). Subscribe to `alerts.on('transition', (alert, from, to) => …)` for
     * every opened, acknowledged and resolved alert (emitted once across the cluster).
     */
    alerts: AlertService;
  }
}

/** The alert engine and its periodic sweep (every instance sweeps; the store keeps it idempotent). */
export const alertsPlugin = fp(
  async (fastify) => {
    const alerts = new AlertService({
      repo: fastify.repo,
      presence: fastify.cluster.notifier,
      thresholds: fastify.config.alerts,
      now: fastify.now,
      log: fastify.log,
      hierarchy: fastify.services.hierarchy,
      devices: fastify.services.devices,
    });
    fastify.decorate('alerts', alerts);
    // Every committed transition goes to the webhooks outbox (a city's pager). publish is idempotent per
    // alert and transition, so a retry after a crash adds nothing; a failure here is logged, never thrown
    // into the alert engine.
    alerts.on('transition', (alert, _from, to) => {
      const transition = to === 'open' ? 'opened' : to === 'acknowledged' ? 'acknowledged' : 'resolved';
      fastify.webhooks.publish(alertEvent(alert, transition, fastify.now())).catch((err: unknown) => {
        fastify.log.error({ err, alertId: alert.id }, 'alerts: could not queue the webhook event');
      });
    });
    fastify.metrics.registerGauge({
      name: 'linli_alerts_open',
      help: 'Unresolved alerts (open or acknowledged), cluster-wide, by rule and state',
      labelNames: ['rule', 'state'],
      collect: async () => {
        const counts = new Map<string, { rule: string; state: string; n: number }>();
        for (const a of await fastify.repo.alerts.unresolved(ALERT_RULES)) {
          const key = `${a.rule}\u0000${a.state}`;
          const c = counts.get(key) ?? { rule: a.rule, state: a.state, n: 0 };
          c.n++;
          counts.set(key, c);
        }
        return [...counts.values()].map((c) => ({ labels: { rule: c.rule, state: c.state }, value: c.n }));
      },
    });
    // Catch-up of webhook events lost between an alert's commit and its publish (a crash): every sweep.
    let catchUp: NodeJS.Timeout | undefined;
    const republish = () =>
      republishRecentAlerts(fastify.repo, fastify.webhooks, fastify.now()).catch((err: unknown) =>
        fastify.log.warn({ err }, 'alerts: webhook catch-up failed; it runs again at the next sweep'),
      );
    fastify.addHook('onReady', async () => {
      await alerts.start();
      catchUp ??= setInterval(() => void republish(), fastify.config.alerts.sweepSec * 1000);
      catchUp.unref();
    });
    fastify.addHook('preClose', async () => {
      clearInterval(catchUp);
      catchUp = undefined;
      await alerts.stop();
    });
  },
  {
    name: 'linli-alerts',
    dependencies: [
      'linli-storage',
      'linli-config',
      'linli-cluster',
      'linli-services',
      'linli-webhooks',
      'linli-metrics',
    ],
  },
);

export default alertsPlugin;
