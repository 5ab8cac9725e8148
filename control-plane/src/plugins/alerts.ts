import fp from 'fastify-plugin';
import { AlertService } from '../services/alerts/alert-service.js';

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
    fastify.addHook('onReady', async () => alerts.start());
    fastify.addHook('preClose', async () => alerts.stop());
  },
  {
    name: 'linli-alerts',
    dependencies: ['linli-storage', 'linli-config', 'linli-cluster', 'linli-services'],
  },
);

export default alertsPlugin;
