import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  AdminListResponse,
  CreateAdminRequest,
  CreateAdminResponse,
} from '../../../../protocol/schemas/admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

export const adminAccountRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.post(
    API.admins,
    {
      config: { permission: 'admins.create' },
      schema: {
        tags: ['admin'],
        summary:
          'Create an admin or staff account at a node in your subtree; its first password is returned once',
        security: BEARER,
        body: CreateAdminRequest,
        response: { 201: CreateAdminResponse, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.admins.create(adminOf(req), req.body)),
  );

  app.get(
    API.admins,
    {
      config: { permission: 'admins.read' },
      schema: {
        tags: ['admin'],
        summary: 'List the accounts at your node or below',
        security: BEARER,
        response: { 200: AdminListResponse, ...ERRORS },
      },
    },
    async (req) => ({ admins: await app.services.admins.list(adminOf(req)) }),
  );
};

export default adminAccountRoutes;
