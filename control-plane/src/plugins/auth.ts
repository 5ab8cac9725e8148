import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { AdminPrincipal, DevicePrincipal } from '../services/context.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for admin routes: a valid admin session, or 401. */
    requireAdmin: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** preHandler for device routes: a valid device session, or 401 (SESSION_EXPIRED: re-authenticate). */
    requireDevice: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    adminPrincipal: AdminPrincipal | null;
    devicePrincipal: DevicePrincipal | null;
  }
}

function bearer(req: FastifyRequest, who: string): string {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m?.[1]) {
    throw new LinliError(
      ErrorCode.UNAUTHORIZED,
      `send "Authorization: Bearer <token>" with a ${who} session token`,
    );
  }
  return m[1];
}

/** The admin on an authenticated admin route (set by requireAdmin). */
export function adminOf(req: FastifyRequest): AdminPrincipal {
  if (!req.adminPrincipal) throw new Error('internal: admin route registered without requireAdmin');
  return req.adminPrincipal;
}

/** The device on an authenticated device route (set by requireDevice). */
export function deviceOf(req: FastifyRequest): DevicePrincipal {
  if (!req.devicePrincipal) throw new Error('internal: device route registered without requireDevice');
  return req.devicePrincipal;
}

export const authPlugin = fp(
  async (fastify) => {
    fastify.decorateRequest('adminPrincipal', null);
    fastify.decorateRequest('devicePrincipal', null);
    fastify.decorate('requireAdmin', async (req: FastifyRequest) => {
      req.adminPrincipal = await fastify.services.adminAuth.authenticate(bearer(req, 'admin'));
    });
    fastify.decorate('requireDevice', async (req: FastifyRequest) => {
      req.devicePrincipal = await fastify.services.deviceAuth.authenticate(bearer(req, 'device'));
    });
  },
  { name: 'linli-auth', dependencies: ['linli-services'] },
);
