import fp from 'fastify-plugin';
import { AdminAuthService } from '../services/admin-auth.js';
import { AdminService } from '../services/admins.js';
import { BillService } from '../services/bills.js';
import type { ServiceContext } from '../services/context.js';
import { DeviceAuthService } from '../services/device-auth.js';
import { DeviceService } from '../services/devices.js';
import { EnrollmentService } from '../services/enrollment.js';
import { HierarchyService } from '../services/hierarchy.js';
import { NonceStore } from '../services/nonce-store.js';
import { NoticeService } from '../services/notices.js';
import { PaymentService } from '../services/payments/payment-service.js';
import { ReceiptService } from '../services/receipts.js';

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
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** Wires the domain services (which know nothing of HTTP) from the shared plugins. */
export const servicesPlugin = fp(
  async (fastify) => {
    const { repo, keys, config, now, hub, billers, gateway } = fastify;
    const ctx: ServiceContext = { repo, keys, config, now, log: fastify.log };
    const nonces = new NonceStore(now);
    const hierarchy = new HierarchyService(repo, now);
    fastify.decorate('services', {
      adminAuth: new AdminAuthService(repo, now, config.adminSessionTtlSec),
      admins: new AdminService(repo, hierarchy, now),
      hierarchy,
      enrollment: new EnrollmentService({ repo, keys, hierarchy, nonces, now }),
      deviceAuth: new DeviceAuthService(repo, nonces, now, config.deviceSessionTtlSec),
      devices: new DeviceService(repo, hierarchy, hub, now),
      notices: new NoticeService({ repo, keys, hierarchy, notifier: hub, now }),
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
    });
  },
  {
    name: 'linli-services',
    dependencies: ['linli-storage', 'linli-keys', 'linli-hub', 'linli-billers', 'linli-gateway'],
  },
);
