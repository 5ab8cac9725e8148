import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { DeviceIdParams } from '../../../../protocol/schemas/admin.js';
import {
  AlertIdParams,
  AlertListQuery,
  AlertListResponse,
  AlertView,
  DeviceHealthQuery,
  DeviceHealthResponse,
} from '../../../../protocol/schemas/alerts-admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS, routeOf } from '../common.js';

/** Alerts (owned by a node, shown there and above) and a device's health (issue 12). */
export const alertRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    API.alerts,
    {
      config: { permission: 'alerts.read' },
      schema: {
        tags: ['admin'],
        summary:
          "Alerts owned by a node and the nodes below it (default: the admin's node): unresolved first, newest first",
        security: BEARER,
        querystring: AlertListQuery,
        response: { 200: AlertListResponse, ...ERRORS },
      },
    },
    async (req) => ({ alerts: await app.alerts.list(adminOf(req), req.query) }),
  );

  app.post(
    routeOf(API.alertAcknowledge),
    {
      config: { permission: 'alerts.ack' },
      schema: {
        tags: ['admin'],
        summary:
          'Acknowledge an open alert (records who and when); it still resolves by itself when it clears',
        security: BEARER,
        params: AlertIdParams,
        body: EmptyBody,
        response: { 200: AlertView, ...ERRORS },
      },
    },
    async (req) => app.alerts.acknowledge(adminOf(req), req.params.id),
  );

  app.get(
    routeOf(API.deviceHealth),
    {
      config: { permission: 'alerts.read' },
      schema: {
        tags: ['admin'],
        summary: "A device's latest health report, its history (newest first) and its alerts",
        security: BEARER,
        params: DeviceIdParams,
        querystring: DeviceHealthQuery,
        response: { 200: DeviceHealthResponse, ...ERRORS },
      },
    },
    async (req) => app.alerts.deviceHealth(adminOf(req), req.params.id, req.query.limit ?? 100),
  );
};

export default alertRoutes;
