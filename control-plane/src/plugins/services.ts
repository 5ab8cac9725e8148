import fp from 'fastify-plugin';
import { AdminAuthService } from '../services/admin-auth.js';
import { AdminService } from '../services/admins.js';
import { BillService } from '../services/bills.js';
import { CardService } from '../services/cards.js';
import { CommandService } from '../services/commands/command-service.js';
import { ConfigService } from '../services/config/config-service.js';
import type { ServiceContext } from '../services/context.js';
import { DeviceAuthService } from '../services/device-auth.js';
import { DeviceDetailService } from '../services/device-detail.js';
import { DeviceService } from '../services/devices.js';
import { EnrollmentService } from '../services/enrollment.js';
import { HierarchyService } from '../services/hierarchy.js';
import { LoginLockout } from '../services/login-lockout.js';
import { MediaService } from '../services/media.js';
import { NonceStore } from '../services/nonce-store.js';
import { EmergencyIssuer } from '../services/notices/emergency-issuer.js';
import { ManifestBuilder } from '../services/notices/manifest-builder.js';
import { NoticeService } from '../services/notices/notice-service.js';
import { PaymentRecovery } from '../services/payments/payment-recovery.js';
import { PaymentRefunds } from '../services/payments/payment-refunds.js';
import { PaymentService } from '../services/payments/payment-service.js';
import { PaymentsAdmin } from '../services/payments/payments-admin.js';
import { ReconciliationService } from '../services/payments/reconciliation.js';
import { ReprintService } from '../services/payments/reprints.js';
import { WalletWebhooks } from '../services/payments/wallet-webhooks.js';
import { PlayService } from '../services/plays.js';
import { AppointmentAdmin } from '../services/public-services/appointment-admin.js';
import { AppointmentService } from '../services/public-services/appointment-service.js';
import { CatalogueService } from '../services/public-services/catalogue-service.js';
import { ReceiptService } from '../services/receipts.js';
import { ScreenshotService } from '../services/screenshots.js';
import { TufService } from '../tuf/tuf-service.js';

export interface Services {
  adminAuth: AdminAuthService;
  admins: AdminService;
  hierarchy: HierarchyService;
  enrollment: EnrollmentService;
  deviceAuth: DeviceAuthService;
  devices: DeviceService;
  /** The console's device page: header and online history (issue 12). */
  deviceDetail: DeviceDetailService;
  notices: NoticeService;
  bills: BillService;
  payments: PaymentService;
  receipts: ReceiptService;
  media: MediaService;
  plays: PlayService;
  tuf: TufService;
  screenshots: ScreenshotService;
  commands: CommandService;
  cards: CardService;
  paymentsAdmin: PaymentsAdmin;
  refunds: PaymentRefunds;
  reprints: ReprintService;
  reconciliation: ReconciliationService;
  walletWebhooks: WalletWebhooks;
  recovery: PaymentRecovery;
  catalogue: CatalogueService;
  appointments: AppointmentService;
  appointmentAdmin: AppointmentAdmin;
  /** Remote device settings and target states (issue 12). */
  config: ConfigService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** Wires the domain services (which know nothing of HTTP) from the shared plugins. */
export const servicesPlugin = fp(
  async (fastify) => {
    const { repo, keys, config, now, billers, gateway, wallet, tufKeys } = fastify;
    // Reaches a device on whichever instance holds its channel.
    const hub = fastify.cluster.notifier;
    const ctx: ServiceContext = { repo, keys, config, now, log: fastify.log };
    const nonces = new NonceStore(repo.cluster, now);
    const { cluster } = fastify;
    // A node written here invalidates every instance's tree (this one's included) over the bus.
    const hierarchy = new HierarchyService(repo, now, (nodeId) => {
      cluster.nodesChanged(nodeId).catch((err: unknown) => {
        fastify.log.warn({ err, nodeId }, 'could not tell the other instances that a node changed');
      });
    });
    fastify.addHook('onReady', async () => {
      await cluster.onNodesChanged(() => hierarchy.invalidate());
    });
    const notices = new NoticeService({
      repo,
      hierarchy,
      notifier: hub,
      emergencies: new EmergencyIssuer(repo, keys, hub),
      now,
      fourEyes: config.moderationFourEyes,
    });
    const commands = new CommandService({ repo, hierarchy, notifier: hub, keys, now, log: fastify.log });
    fastify.addHook('onReady', async () => commands.start());
    fastify.addHook('onClose', async () => commands.stop());
    const screenshots = new ScreenshotService(
      repo,
      hierarchy,
      hub,
      commands,
      undefined,
      fastify.cluster.answers,
    );
    fastify.addHook('onClose', async () => screenshots.close());
    const bills = new BillService({ repo, keys, billers, now, billTtlSec: config.billTtlSec });
    const payments = new PaymentService({
      repo,
      keys,
      billers,
      gateway,
      wallet,
      now,
      publicUrl: () => config.publicUrl,
      qrTtlMs: config.qrTtlSec * 1000,
      log: fastify.log,
    });
    const paymentsAdmin = new PaymentsAdmin(repo, hierarchy);
    const refunds = new PaymentRefunds({ repo, payments, admin: paymentsAdmin, now, log: fastify.log });
    const walletWebhooks = new WalletWebhooks({ repo, wallet, payments, now, log: fastify.log });
    const recovery = new PaymentRecovery({
      repo,
      payments,
      refunds,
      webhooks: walletWebhooks,
      now,
      log: fastify.log,
      intervalMs: config.recoveryIntervalMs,
    });
    const catalogue = new CatalogueService({ repo, hierarchy, notifier: hub, now });
    fastify.addHook('onReady', async () => recovery.start());
    fastify.addHook('onClose', async () => recovery.stop());
    const deviceAuth = new DeviceAuthService(repo, nonces, now, config.deviceSessionTtlSec);
    const devices = new DeviceService(repo, hierarchy, hub, now, deviceAuth);
    fastify.decorate('services', {
      adminAuth: new AdminAuthService(repo, now, config.adminSessionTtlSec, new LoginLockout(now)),
      admins: new AdminService(repo, hierarchy, now),
      hierarchy,
      enrollment: new EnrollmentService({ repo, keys, tufKeys, hierarchy, nonces, now }),
      deviceAuth,
      devices,
      deviceDetail: new DeviceDetailService(repo, hierarchy, devices),
      notices,
      bills,
      payments,
      receipts: new ReceiptService(ctx),
      cards: new CardService({ repo, hierarchy, billers, bills, now }),
      paymentsAdmin,
      refunds,
      reprints: new ReprintService(repo, paymentsAdmin, hub, now),
      reconciliation: new ReconciliationService({
        repo,
        admin: paymentsAdmin,
        billers,
        gateway,
        wallet,
        now,
      }),
      walletWebhooks,
      recovery,
      media: new MediaService(repo, now),
      plays: new PlayService(repo, hierarchy, notices, now),
      tuf: new TufService({
        repo,
        keys: tufKeys,
        manifests: new ManifestBuilder(repo, now),
        now,
        timestampTtlSec: config.tufTimestampTtlSec,
        metadataTtlSec: config.tufMetadataTtlSec,
      }),
      screenshots,
      commands,
      catalogue,
      appointments: new AppointmentService({ repo, keys, now, publicUrl: () => config.publicUrl }),
      appointmentAdmin: new AppointmentAdmin({ repo, keys, catalogue, now, log: fastify.log }),
      config: new ConfigService({ repo, hierarchy, notifier: hub, keys, now, log: fastify.log }),
    });
  },
  {
    name: 'linli-services',
    dependencies: [
      'linli-storage',
      'linli-keys',
      'linli-tuf',
      'linli-hub',
      'linli-cluster',
      'linli-billers',
      'linli-gateway',
      'linli-wallet',
    ],
  },
);

export default servicesPlugin;
