import type { FastifyInstance } from 'fastify';

/**
 * The device API's auth (loaded by @fastify/autoload for every file in this folder): a valid device session
 * on every route, except those marked `config: { public: true }` that authenticate otherwise (the nonce and
 * session exchange, the WebSocket channel's in-socket challenge).
 */
export default async function deviceAuthHooks(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config.public === true) return;
    await app.requireDevice(req, reply);
  });
}
