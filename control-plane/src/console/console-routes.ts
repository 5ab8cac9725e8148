import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';

/**
 * The admin console: a static single page at /console that talks only to the admin API with the bearer
 * token of a login (kept in sessionStorage, so closing the tab logs out). Scope is enforced by the API, not
 * by the page: the console shows what the API lets this admin see.
 */
const ASSETS: Readonly<Record<string, string>> = {
  'console.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
  'main.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'zones.js': 'text/javascript; charset=utf-8',
  'view-overview.js': 'text/javascript; charset=utf-8',
  'view-notices.js': 'text/javascript; charset=utf-8',
  'view-payments.js': 'text/javascript; charset=utf-8',
  'view-reconciliation.js': 'text/javascript; charset=utf-8',
  'view-services.js': 'text/javascript; charset=utf-8',
  'device-sections.js': 'text/javascript; charset=utf-8',
  'device-section-commands.js': 'text/javascript; charset=utf-8',
};

const assetPath = (name: string) => fileURLToPath(new URL(`./ui/${name}`, import.meta.url));

// Same-origin only: the page has no inline script and loads nothing from elsewhere.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  app.get('/console', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .send(await readFile(assetPath('index.html'))),
  );
  // Browsers ask every page's origin for /favicon.ico unless the page names an icon (the console does):
  // /docs, /r/:id and /a/:id would log a 404 in the browser console. One icon for the whole control plane.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .send(await readFile(assetPath('icon.svg'))),
  );
  app.get<{ Params: { file: string } }>(
    '/console/assets/:file',
    { schema: { hide: true } },
    async (req, reply) => {
      // Own keys only: `constructor` or `__proto__` must not reach readFile (a 500, and a path from input).
      const type = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
      if (!type) throw new LinliError(ErrorCode.NOT_FOUND, `no console asset named ${req.params.file}`);
      return reply
        .header('content-type', type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(await readFile(assetPath(req.params.file)));
    },
  );
}
