import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { API, IDEMPOTENCY_HEADER } from '../../../protocol/api.js';
import { canonicalJson } from '../../../protocol/canonical-json.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';

const ADMIN_PREFIX = '/api/v1/admin/';
const KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** How long a key is remembered: a day covers any client's retries. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const PURGE_EVERY_MS = 60_000;
/**
 * Creates whose answer carries a one-time secret (an admin's first password, an enrollment token). The secret
 * must not be stored, so a retry is told the first request succeeded (409) instead of getting a duplicate.
 */
const SECRET_BEARING: ReadonlySet<string> = new Set([
  API.admins,
  API.enrollmentTokens,
  // A webhook endpoint's signing secret (issue 12); the route pattern, as routeOptions.url has it.
  API.nodeWebhooks(':id').replace('%3Aid', ':id'),
]);
const SECRET_MARK = 'linli/secret-not-stored';

declare module 'fastify' {
  interface FastifyInstance {
    /** The admin routes whose POSTs take an Idempotency-Key here (for tests walking the route table). */
    idempotentAdminRoutes: readonly string[];
  }
}

interface Claim {
  adminId: string;
  key: string;
}
const claims = new WeakMap<FastifyRequest, Claim>();
const replayed = new WeakSet<FastifyRequest>();

/**
 * The admin writes this layer covers: POSTs under /api/v1/admin/ that answer 201 (they create something).
 * Routes that already handle the header themselves (refunds) declare it in their headers schema and are left
 * to it.
 */
export function isCreatingAdminPost(route: RouteOptions): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (!methods.includes('POST') || !route.url.startsWith(ADMIN_PREFIX)) return false;
  const schema = route.schema as
    | { response?: Record<string, unknown>; headers?: { properties?: Record<string, unknown> } }
    | undefined;
  if (!schema?.response || !('201' in schema.response)) return false;
  return !schema.headers?.properties || !(IDEMPOTENCY_HEADER in schema.headers.properties);
}

function requestHash(req: FastifyRequest): string {
  const h = createHash('sha256').update(`${req.method} ${req.url}\n`);
  const body = req.body;
  if (Buffer.isBuffer(body)) h.update('bytes\n').update(body);
  else h.update('json\n').update(body === undefined ? '' : canonicalJson(body));
  return h.digest('base64url');
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * `Idempotency-Key` on every admin POST that creates something, once for all of them: the key is claimed
 * (per admin account) before the handler runs; a success is stored before it is sent, so a client whose
 * answer was lost gets the same answer (same id, same status, header `idempotent-replayed: true`) instead of
 * a duplicate. The same key with another request → 422 LINLI_ERR_IDEMPOTENCY_KEY_REUSED. A failed request
 * releases its key. A key whose first request is still running (or was cut off by a crash, outcome unknown)
 * → 409 LINLI_ERR_CONFLICT, never a second attempt that could duplicate the first.
 */
export const adminIdempotencyPlugin = fp(
  async (fastify) => {
    let lastPurge = 0;
    const covered: string[] = [];

    const claim = async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = req.headers[IDEMPOTENCY_HEADER];
      const admin = req.adminPrincipal?.admin;
      if (raw === undefined || !admin) return;
      if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
        throw new LinliError(
          ErrorCode.BAD_REQUEST,
          'Idempotency-Key must be 16–64 characters of A–Z, a–z, 0–9, "_" or "-" (a random id per logical request)',
          { field: `headers/${IDEMPOTENCY_HEADER}` },
        );
      }
      const now = fastify.now();
      if (now - lastPurge > PURGE_EVERY_MS) {
        lastPurge = now;
        await fastify.repo.adminIdempotency.purge(now - IDEMPOTENCY_TTL_MS);
      }
      const hash = requestHash(req);
      const begun = await fastify.repo.adminIdempotency.begin(admin.id, raw, hash, now);
      if (begun.started) {
        claims.set(req, { adminId: admin.id, key: raw });
        return;
      }
      const e = begun.existing;
      if (e.requestHash !== hash) {
        throw new LinliError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'this Idempotency-Key was already used for a different request; send a new key for a new request',
        );
      }
      if (e.contentType === SECRET_MARK) {
        throw new LinliError(
          ErrorCode.CONFLICT,
          'the first request with this Idempotency-Key succeeded; its one-time secret is not stored, so it cannot be shown again: find what it created (GET the list) and reset the password or revoke the token',
        );
      }
      if (e.status === null || e.body === null) {
        throw new LinliError(
          ErrorCode.CONFLICT,
          'the first request with this Idempotency-Key has not finished (or was interrupted, outcome unknown); retry in a moment, and if it persists check whether the object exists before using a new key',
        );
      }
      replayed.add(req);
      reply
        .code(e.status)
        .header('content-type', e.contentType ?? 'application/json; charset=utf-8')
        .header('idempotent-replayed', 'true');
      return reply.send(e.body);
    };

    const store = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const c = claims.get(req);
      if (!c || replayed.has(req)) return payload;
      claims.delete(req);
      const ok = reply.statusCode >= 200 && reply.statusCode < 300;
      const bytes =
        typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : undefined;
      if (ok && bytes) {
        const secret = SECRET_BEARING.has(req.routeOptions.url ?? '');
        const type = secret
          ? SECRET_MARK
          : String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
        const stored = secret ? Buffer.alloc(0) : bytes;
        await fastify.repo.adminIdempotency.finish(c.adminId, c.key, reply.statusCode, type, stored);
      } else {
        await fastify.repo.adminIdempotency.release(c.adminId, c.key);
      }
      return payload;
    };

    fastify.decorate('idempotentAdminRoutes', covered);
    fastify.addHook('onRoute', (route) => {
      if (!isCreatingAdminPost(route)) return;
      covered.push(route.url);
      route.preHandler = [...asArray(route.preHandler), claim] as RouteOptions['preHandler'];
      route.onSend = [...asArray(route.onSend), store] as RouteOptions['onSend'];
    });
  },
  { name: 'linli-admin-idempotency', dependencies: ['linli-storage', 'linli-config', 'linli-auth'] },
);

export default adminIdempotencyPlugin;
