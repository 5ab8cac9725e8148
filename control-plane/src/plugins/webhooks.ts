import fp from 'fastify-plugin';
import { SecretBox } from '../crypto/secrets.js';
import { WebhookDispatcher } from '../services/webhooks/webhook-dispatcher.js';
import { WebhookService } from '../services/webhooks/webhook-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Webhooks out: `publish(event)` and the admin CRUD (issue 12). */
    webhooks: WebhookService;
    webhookDispatcher: WebhookDispatcher;
  }
}

/**
 * The webhook service and this instance's outbox dispatcher. Secrets are sealed with a key derived from the
 * keyset key (keys/root.pem), which every instance of a cluster already shares.
 */
export const webhooksPlugin = fp(
  async (fastify) => {
    const { repo, config, now, log } = fastify;
    const box = SecretBox.derive(
      fastify.keys.root.privateKey.export({ format: 'der', type: 'pkcs8' }),
      'webhook-signing-secret',
    );
    const dispatcher = new WebhookDispatcher({
      store: repo.webhooks,
      box,
      timing: config.webhooks,
      now,
      log,
    });
    const service = new WebhookService({
      store: repo.webhooks,
      hierarchy: fastify.services.hierarchy,
      box,
      now,
      allowHttpLoopback: () => config.webhooks.allowHttpLoopback,
      onEnqueued: () => dispatcher.kick(),
    });
    fastify.decorate('webhooks', service);
    fastify.decorate('webhookDispatcher', dispatcher);
    fastify.addHook('onReady', async () => dispatcher.start());
    // preClose: before the store closes (onClose), so attempts under way still record their outcome.
    fastify.addHook('preClose', async () => dispatcher.stop());
  },
  { name: 'linli-webhooks', dependencies: ['linli-storage', 'linli-keys', 'linli-config', 'linli-services'] },
);

export default webhooksPlugin;
