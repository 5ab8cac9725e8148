import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

type Directives = Record<string, string[]>;

/**
 * Everything that is not a page: JSON, bytes, 404s. Nothing may load, nothing may frame it. No HSTS and no
 * upgrade-insecure-requests: control planes on a community LAN are often plain HTTP, and either would make
 * browsers refuse them.
 */
const API_CSP: Directives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

const sha256Source = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The one inline <style> swagger-ui draws: inside the SVG logo of its top bar (standalone preset). */
const SWAGGER_LOGO_STYLE = sha256Source(
  '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}',
);

/**
 * /docs: swagger-ui loads its bundle, preset, initializer and CSS from /docs/static, fetches /docs/json, and
 * draws icons as data: images. Same origin only, no inline script, no eval.
 */
const DOCS_CSP: Directives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", SWAGGER_LOGO_STYLE],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** The pages a phone opens from a printed QR (and the simulated wallet's payer page): no script at all. */
const PAGE_PATHS = [/^\/r\/:id$/, /^\/a\/:id$/, /^\/sim\/wallet\//];

const headerValue = (d: Directives) =>
  Object.entries(d)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');

/**
 * A page's only inline content is its <style> block(s), whose colours depend on the verdict; the CSP allows
 * exactly those by hash, computed from the HTML being sent, so nothing injected could style or script.
 */
export function pageCsp(html: string): string {
  const hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => sha256Source(m[1] ?? ''));
  return headerValue({
    'default-src': ["'none'"],
    'style-src': hashes.length ? hashes : ["'none'"],
    'img-src': ["'self'", 'data:'],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  });
}

async function pageHeaders(_req: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const type = String(reply.getHeader('content-type') ?? '');
  if (typeof payload === 'string' && type.startsWith('text/html')) {
    reply.header('content-security-policy', pageCsp(payload));
  }
  return payload;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * @fastify/helmet with one policy per surface: the API (default), /docs, the public QR pages, and the
 * console (which sets its own strict CSP; helmet adds the other headers). Every surface gets nosniff,
 * X-Frame-Options DENY and frame-ancestors 'none'.
 */
export const securityHeadersPlugin = fp(
  async (fastify) => {
    fastify.addHook('onRoute', (route: RouteOptions) => {
      // Runs before helmet's own onRoute hook (added first), which turns `route.helmet` into the route's policy.
      const url = route.url;
      if (url === '/docs' || url.startsWith('/docs/')) {
        route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } };
      } else if (url === '/console') {
        // The console route sends its own CSP (script-src 'self', no inline); helmet must not replace it.
        route.helmet = { contentSecurityPolicy: false };
      } else if (PAGE_PATHS.some((p) => p.test(url))) {
        route.onSend = [...asArray(route.onSend), pageHeaders] as RouteOptions['onSend'];
      }
    });
    await fastify.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
      strictTransportSecurity: false,
      frameguard: { action: 'deny' },
    });
  },
  { name: 'linli-security-headers', dependencies: ['linli-errors'] },
);

export default securityHeadersPlugin;
