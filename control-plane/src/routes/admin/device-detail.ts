import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { DeviceIdParams } from '../../../../protocol/schemas/admin.js';
import {
  DeviceDetail,
  DeviceSessionsQuery,
  DeviceSessionsResponse,
} from '../../../../protocol/schemas/device-admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

/** The console's device page (issue 12): one device's header and its online history. */
export const deviceDetailRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    routeOf(API.device),
    {
      config: { permission: 'devices.read' },
      schema: {
        tags: ['admin'],
        summary:
          'One device: role, node path and time zone, status, tags, online now and since when, last seen, runtime version',
        security: BEARER,
        params: DeviceIdParams,
        response: { 200: DeviceDetail, ...ERRORS },
      },
    },
    async (req) => app.services.deviceDetail.detail(adminOf(req), req.params.id),
  );

  app.get(
    routeOf(API.deviceSessions),
    {
      config: { permission: 'devices.read' },
      schema: {
        tags: ['admin'],
        summary:
          'A device’s channel sessions, newest first: when it connected and disconnected, where, and why it closed',
        security: BEARER,
        params: DeviceIdParams,
        querystring: DeviceSessionsQuery,
        response: { 200: DeviceSessionsResponse, ...ERRORS },
      },
    },
    async (req) => app.services.deviceDetail.sessions(adminOf(req), req.params.id, req.query),
  );
};

export default deviceDetailRoutes;
