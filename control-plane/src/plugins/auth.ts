import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { AdminPrincipal, DevicePrincipal } from '../services/context.js';
import type { Permission } from '../services/permissions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Admin routes: the permission the caller's role must hold (services/permissions.ts). */
    permission?: Permission;
    /** No session needed: the route authenticates otherwise (password, signed nonce, in-socket challenge). */
    public?: true;
  }
  interface FastifyInstance {
    /** Sets req.adminPrincipal from a valid admin session, or 401 (used by routes/admin/autohooks.ts). */
    requireAdmin: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** Sets req.devicePrincipal from a valid device session, or 401 (SESSION_EXPIRED: re-authenticate). */
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

/** The admin on an authenticated admin route (set by the admin folder's hook). */
export function adminOf(req: FastifyRequest): AdminPrincipal {
  if (!req.adminPrincipal) throw new Error('internal: admin route served without the admin auth hook');
  return req.adminPrincipal;
}

/** The device on an authenticated device route (set by the device folder's hook). */
export function deviceOf(req: FastifyRequest): DevicePrincipal {
  if (!req.devicePrincipal) throw new Error('internal: device route served without the device auth hook');
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

export default authPlugin;
