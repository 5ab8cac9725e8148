import type { FastifyInstance, RouteOptions } from 'fastify';
import { isPermission, requirePermission } from '../../services/permissions.js';

/**
 * The one auth mechanism of the admin API (loaded by @fastify/autoload for every file in this folder): each
 * route declares `config: { permission }` (or `public: true`, login only), a route without one is refused
 * when it is registered, and every request needs a valid admin session (401) whose role holds the
 * permission (403 LINLI_ERR_FORBIDDEN) before its body is even parsed.
 */
export default async function adminAuthHooks(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as { permission?: unknown; public?: unknown };
    if (config.public === true ? config.permission !== undefined : !isPermission(config.permission)) {
      throw new Error(
        `admin route ${route.method} ${route.url} must declare config.permission (services/permissions.ts) or public: true, not both`,
      );
    }
  });
  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    if (config.public === true) return;
    await app.requireAdmin(req, reply);
    // onRoute guarantees a permission here; checked again so a missing one can never mean "allowed".
    if (!isPermission(config.permission))
      throw new Error(`internal: ${req.routeOptions.url} has no permission`);
    requirePermission(req.adminPrincipal!, config.permission);
  });
}
