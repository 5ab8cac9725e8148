import type { FastifyPluginAsync } from 'fastify';

/** `/` is where a person types the control plane's address: send them to the admin console. */
export const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console', 302));
};

export default homeRoutes;
