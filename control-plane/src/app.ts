import { fileURLToPath } from 'node:url';
import autoload from '@fastify/autoload';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyServerOptions, RouteOptions } from 'fastify';
import type { BillerAdapter } from './adapters/billers/biller-adapter.js';
import type { PaymentGateway } from './adapters/gateway/payment-gateway.js';
import type { WalletProvider } from './adapters/wallet/wallet-provider.js';
import type { ClusterBus } from './cluster/cluster-bus.js';
import type { ControlPlaneConfig } from './config.js';
import { consoleRoutes } from './console/console-routes.js';
import type { Repository } from './storage/repository.js';
import { VERSION } from './version.js';

export interface AppOptions {
  config: ControlPlaneConfig;
  /** Clock for every service; tests move it forward to expire tokens, sessions and bills. */
  now?: () => number;
  /** Receives the one-time first-start password line; default stdout. */
  announce?: (line: string) => void;
  /** Replace the embedded SQLite storage or the simulated adapters. */
  repo?: Repository;
  billers?: BillerAdapter;
  gateway?: PaymentGateway;
  wallet?: WalletProvider;
  /** The bus between instances; default from the store (tests share one LocalBus between apps). */
  bus?: ClusterBus;
  /** Sees every route as it is registered (the route-table tests). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * The Fastify options the app needs: unknown fields refused (not silently dropped), no type coercion of
 * bodies, a bounded body size, and logs that never carry bearer tokens or query strings (account numbers).
 */
export function fastifyOptions(
  config: ControlPlaneConfig,
  logStream?: NodeJS.WritableStream,
): FastifyServerOptions {
  return {
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    // Autoload imports (and tsx or Vite compiles) every plugin and route file inside the plugin timer: on a
    // busy machine with a cold cache that is more than Fastify's default 10 s.
    pluginTimeout: 60_000,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false },
    },
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            stream: logStream ?? process.stderr,
            redact: ['req.headers.authorization', 'headers.authorization'],
            serializers: {
              req: (req: { method: string; url: string; ip?: string }) => ({
                method: req.method,
                url: req.url.split('?')[0],
                remoteAddress: req.ip,
              }),
            },
          },
  };
}

/** Test files and the routes' shared helpers sit beside the plugins and routes; they are not plugins. */
const NOT_A_PLUGIN = /(^|\/)(common\.ts|[^/]+\.test\.ts)$/;

const here = (dir: string) => fileURLToPath(new URL(dir, import.meta.url));

/**
 * @fastify/autoload accepts `.ts` files only when it recognises the TypeScript loader, and it does not
 * recognise tsx's `register()` (bin/linli.js) or `node --import tsx`: this module running as `.ts` is proof
 * enough that the process can import TypeScript. (Vitest is recognised on its own.)
 */
if (import.meta.url.endsWith('.ts')) process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= '1';

/**
 * The control plane as a Fastify plugin: the shared services (`plugins/`, each a named fastify-plugin with
 * its dependencies), then the schema-first routes (`routes/`): `admin/`, `device/` and `public/`, each
 * folder with its one auth hook (`autohooks.ts`), loaded by @fastify/autoload.
 */
export async function buildApp(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  if (opts.onRoute) fastify.addHook('onRoute', opts.onRoute);
  // Every plugin gets the same options and takes what it knows (config, clock, storage, adapters).
  await fastify.register(autoload, {
    dir: here('./plugins'),
    ignorePattern: NOT_A_PLUGIN,
    options: {
      config: opts.config,
      now: opts.now,
      announce: opts.announce,
      repo: opts.repo,
      billers: opts.billers,
      gateway: opts.gateway,
      wallet: opts.wallet,
      bus: opts.bus,
    },
  });

  await fastify.register(swagger, {
    openapi: {
      info: {
        title: 'Linli control plane',
        version: VERSION,
        description:
          'Admin, enrollment, device and public APIs. Errors are {error:{code,message,details?}} with a LINLI_ERR_* code.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      tags: [
        { name: 'admin', description: 'hierarchy, enrollment tokens, devices, notices (admin bearer token)' },
        { name: 'enrollment', description: 'device enrollment with a token' },
        {
          name: 'device',
          description: 'device session, keyset, notices, bills and payments (device bearer token)',
        },
        { name: 'public', description: 'health, receipt and appointment-slip verification' },
      ],
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });

  await fastify.register(consoleRoutes);
  // Route paths are spelled in full (protocol/api.ts), so folder names add no prefix.
  await fastify.register(autoload, {
    dir: here('./routes'),
    ignorePattern: NOT_A_PLUGIN,
    dirNameRoutePrefix: false,
    autoHooks: true,
    cascadeHooks: false,
  });
}
