import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { BillerAdapter } from './adapters/billers/biller-adapter.js';
import type { PaymentGateway } from './adapters/gateway/payment-gateway.js';
import type { WalletProvider } from './adapters/wallet/wallet-provider.js';
import type { ControlPlaneConfig } from './config.js';
import { consoleRoutes } from './console/console-routes.js';
import { adminIdempotencyPlugin } from './plugins/admin-idempotency.js';
import { authPlugin } from './plugins/auth.js';
import { billersPlugin } from './plugins/billers.js';
import { bootstrapPlugin } from './plugins/bootstrap.js';
import { configPlugin } from './plugins/config.js';
import { errorsPlugin } from './plugins/errors.js';
import { gatewayPlugin } from './plugins/gateway.js';
import { hubPlugin } from './plugins/hub.js';
import { keysPlugin } from './plugins/keys.js';
import { queryCoercionPlugin } from './plugins/query-coercion.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { servicesPlugin } from './plugins/services.js';
import { simDicePlugin } from './plugins/sim-dice.js';
import { storagePlugin } from './plugins/storage.js';
import { throttlePlugin } from './plugins/throttle.js';
import { tufPlugin } from './plugins/tuf.js';
import { walletPlugin } from './plugins/wallet.js';
import { adminAccountRoutes } from './routes/admin/admins.js';
import { appointmentAdminRoutes } from './routes/admin/appointments.js';
import { cardAdminRoutes } from './routes/admin/cards.js';
import { deviceAdminRoutes } from './routes/admin/devices.js';
import { enrollmentTokenRoutes } from './routes/admin/enrollment-tokens.js';
import { loginRoutes } from './routes/admin/login.js';
import { nodeRoutes } from './routes/admin/nodes.js';
import { noticeAdminRoutes } from './routes/admin/notices.js';
import { paymentAdminRoutes } from './routes/admin/payments.js';
import { serviceCatalogueRoutes } from './routes/admin/service-catalogue.js';
import { signageAdminRoutes } from './routes/admin/signage.js';
import { deviceAppointmentRoutes } from './routes/device/appointments.js';
import { billRoutes } from './routes/device/bills.js';
import { deviceCardRoutes } from './routes/device/cards.js';
import { channelRoutes } from './routes/device/channel.js';
import { deviceContentRoutes } from './routes/device/content.js';
import { paymentRoutes } from './routes/device/payments.js';
import { deviceReprintRoutes } from './routes/device/reprints.js';
import { deviceSessionRoutes } from './routes/device/session.js';
import { deviceSignageRoutes } from './routes/device/signage.js';
import { deviceTufRoutes } from './routes/device/tuf.js';
import { enrollRoutes } from './routes/enroll.js';
import { appointmentPageRoutes } from './routes/public/appointments.js';
import { healthRoutes } from './routes/public/healthz.js';
import { receiptRoutes } from './routes/public/receipts.js';
import { walletNotifyRoutes } from './routes/public/wallet-notify.js';
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

/** The control plane as a Fastify plugin: shared services as named plugins, then schema-first routes. */
export async function buildApp(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  await fastify.register(errorsPlugin);
  await fastify.register(securityHeadersPlugin);
  await fastify.register(queryCoercionPlugin);
  await fastify.register(configPlugin, { config: opts.config, ...(opts.now ? { now: opts.now } : {}) });
  await fastify.register(storagePlugin, opts.repo ? { repo: opts.repo } : {});
  await fastify.register(keysPlugin);
  await fastify.register(tufPlugin);
  await fastify.register(bootstrapPlugin, opts.announce ? { announce: opts.announce } : {});
  await fastify.register(simDicePlugin);
  await fastify.register(billersPlugin, opts.billers ? { billers: opts.billers } : {});
  await fastify.register(gatewayPlugin, opts.gateway ? { gateway: opts.gateway } : {});
  await fastify.register(walletPlugin, opts.wallet ? { wallet: opts.wallet } : {});
  await fastify.register(hubPlugin);
  await fastify.register(servicesPlugin);
  await fastify.register(authPlugin);
  await fastify.register(throttlePlugin);
  await fastify.register(adminIdempotencyPlugin);

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

  await fastify.register(healthRoutes);
  await fastify.register(receiptRoutes);
  await fastify.register(consoleRoutes);
  await fastify.register(loginRoutes);
  await fastify.register(nodeRoutes);
  await fastify.register(adminAccountRoutes);
  await fastify.register(enrollmentTokenRoutes);
  await fastify.register(deviceAdminRoutes);
  await fastify.register(noticeAdminRoutes);
  await fastify.register(signageAdminRoutes);
  await fastify.register(enrollRoutes);
  await fastify.register(deviceSessionRoutes);
  await fastify.register(deviceContentRoutes);
  await fastify.register(deviceTufRoutes);
  await fastify.register(deviceSignageRoutes);
  await fastify.register(billRoutes);
  await fastify.register(paymentRoutes);
  await fastify.register(channelRoutes);
  await fastify.register(deviceCardRoutes);
  await fastify.register(deviceReprintRoutes);
  await fastify.register(cardAdminRoutes);
  await fastify.register(paymentAdminRoutes);
  await fastify.register(walletNotifyRoutes);
  await fastify.register(serviceCatalogueRoutes);
  await fastify.register(appointmentAdminRoutes);
  await fastify.register(deviceAppointmentRoutes);
  await fastify.register(appointmentPageRoutes);
}
