import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { DeviceIdParams } from '../../../../protocol/schemas/admin.js';
import {
  CommandIdParams,
  CommandListQuery,
  CommandListResponse,
  CommandView,
  CreateCommandRequest,
} from '../../../../protocol/schemas/commands.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

/** Remote commands (issue 12): send one to a device, list a device's, read one. */
export const commandAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.post(
    routeOf(API.deviceCommands),
    {
      config: { permission: 'commands.send' },
      schema: {
        tags: ['admin'],
        summary:
          'Send a signed command to a device (sent now if it is online, else when it connects, until ttlSec passes)',
        security: BEARER,
        params: DeviceIdParams,
        body: CreateCommandRequest,
        response: { 202: CommandView, ...ERRORS },
      },
    },
    async (req, reply) => {
      reply.code(202);
      return app.services.commands.create(adminOf(req), req.params.id, req.body);
    },
  );

  app.get(
    routeOf(API.deviceCommands),
    {
      config: { permission: 'commands.read' },
      schema: {
        tags: ['admin'],
        summary: "A device's commands, newest first, with their state and the device's result",
        security: BEARER,
        params: DeviceIdParams,
        querystring: CommandListQuery,
        response: { 200: CommandListResponse, ...ERRORS },
      },
    },
    async (req) => ({
      commands: await app.services.commands.list(adminOf(req), req.params.id, req.query.limit ?? 50),
    }),
  );

  app.get(
    routeOf(API.command),
    {
      config: { permission: 'commands.read' },
      schema: {
        tags: ['admin'],
        summary: 'One command with its state and result',
        security: BEARER,
        params: CommandIdParams,
        response: { 200: CommandView, ...ERRORS },
      },
    },
    async (req) => app.services.commands.get(adminOf(req), req.params.id),
  );
};

export default commandAdminRoutes;
