import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  DeviceIdParams,
  DeviceListQuery,
  DeviceListResponse,
  DeviceView,
} from '../../../../protocol/schemas/admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS, routeOf } from '../common.js';

export const deviceAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    API.devices,
    {
      config: { permission: 'devices.read' },
      schema: {
        tags: ['admin'],
        summary: 'List devices in your subtree with whether each is online and when it was last seen',
        security: BEARER,
        querystring: DeviceListQuery,
        response: { 200: DeviceListResponse, ...ERRORS },
      },
    },
    async (req) => ({ devices: await app.services.devices.list(adminOf(req), req.query) }),
  );

  app.post(
    routeOf(API.deviceRevoke),
    {
      config: { permission: 'devices.revoke' },
      schema: {
        tags: ['admin'],
        summary: 'Revoke a device: its sessions end and its channel closes with LINLI_ERR_DEVICE_REVOKED',
        security: BEARER,
        params: DeviceIdParams,
        body: EmptyBody,
        response: { 200: DeviceView, ...ERRORS },
      },
    },
    async (req) => app.services.devices.revoke(adminOf(req), req.params.id),
  );
};

export default deviceAdminRoutes;
