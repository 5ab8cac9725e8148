import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  CreateNodeRequest,
  NodeListQuery,
  NodeListResponse,
  NodeView,
} from '../../../../protocol/schemas/admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

export const nodeRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.post(
    API.nodes,
    {
      config: { permission: 'nodes.create' },
      schema: {
        tags: ['admin'],
        summary: 'Create a node under a parent in your subtree (city → district → street → community)',
        security: BEARER,
        body: CreateNodeRequest,
        response: { 201: NodeView, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.hierarchy.create(adminOf(req), req.body)),
  );

  app.get(
    API.nodes,
    {
      config: { permission: 'nodes.read' },
      schema: {
        tags: ['admin'],
        summary: 'List the nodes you may see, or the children of one',
        security: BEARER,
        querystring: NodeListQuery,
        response: { 200: NodeListResponse, ...ERRORS },
      },
    },
    async (req) => ({ nodes: await app.services.hierarchy.list(adminOf(req), req.query.parentId) }),
  );
};

export default nodeRoutes;
