import fp from 'fastify-plugin';
import { AdminAuthService } from '../services/admin-auth.js';
import { AdminService } from '../services/admins.js';
import { BillService } from '../services/bills.js';
import type { ServiceContext } from '../services/context.js';
import { DeviceAuthService } from '../services/device-auth.js';
import { DeviceService } from '../services/devices.js';
import { EnrollmentService } from '../services/enrollment.js';
import { HierarchyService } from '../services/hierarchy.js';
import { MediaService } from '../services/media.js';
import { NonceStore } from '../services/nonce-store.js';
import { EmergencyIssuer } from '../services/notices/emergency-issuer.js';
import { ManifestBuilder } from '../services/notices/manifest-builder.js';
import { NoticeService } from '../services/notices/notice-service.js';
import { PaymentService } from '../services/payments/payment-service.js';
import { PlayService } from '../services/plays.js';
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
  notices: NoticeService;
  bills: BillService;
  payments: PaymentService;
  receipts: ReceiptService;
  media: MediaService;
  plays: PlayService;
  tuf: TufService;
  screenshots: ScreenshotService;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** Wires the domain services (which know nothing of HTTP) from the shared plugins. */
export const servicesPlugin = fp(
  async (fastify) => {
    const { repo, keys, config, now, hub, billers, gateway, tufKeys } = fastify;
    const ctx: ServiceContext = { repo, keys, config, now, log: fastify.log };
    const nonces = new NonceStore(now);
    const hierarchy = new HierarchyService(repo, now);
    const notices = new NoticeService({
      repo,
      hierarchy,
      notifier: hub,
      emergencies: new EmergencyIssuer(repo, keys, hub),
      now,
      fourEyes: config.moderationFourEyes,
    });
    const screenshots = new ScreenshotService(repo, hierarchy, hub);
    fastify.addHook('onClose', async () => screenshots.close());
    fastify.decorate('services', {
      adminAuth: new AdminAuthService(repo, now, config.adminSessionTtlSec),
      admins: new AdminService(repo, hierarchy, now),
      hierarchy,
      enrollment: new EnrollmentService({ repo, keys, tufKeys, hierarchy, nonces, now }),
      deviceAuth: new DeviceAuthService(repo, nonces, now, config.deviceSessionTtlSec),
      devices: new DeviceService(repo, hierarchy, hub, now),
      notices,
      bills: new BillService({ repo, keys, billers, now, billTtlSec: config.billTtlSec }),
      payments: new PaymentService({
        repo,
        keys,
        billers,
        gateway,
        now,
        publicUrl: () => config.publicUrl,
        log: fastify.log,
      }),
      receipts: new ReceiptService(ctx),
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
    });
  },
  {
    name: 'linli-services',
    dependencies: ['linli-storage', 'linli-keys', 'linli-tuf', 'linli-hub', 'linli-billers', 'linli-gateway'],
  },
);
