import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  CreateNodeRequest,
  NodeListQuery,
  NodeListResponse,
  NodeView,
} from '../../../../protocol/schemas/admin.js';
import { IdSchema } from '../../../../protocol/schemas/common.js';
import {
  MoveNodeReport,
  MoveNodeRequest,
  RenameNodeRequest,
} from '../../../../protocol/schemas/node-lifecycle.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

const NodeIdParams = Type.Object({ id: IdSchema('node') }, { additionalProperties: false });

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

  app.patch(
    routeOf(API.node),
    {
      config: { permission: 'nodes.update' },
      schema: {
        tags: ['admin'],
        summary: 'Rename a node in your subtree (siblings keep distinct names)',
        security: BEARER,
        params: NodeIdParams,
        body: RenameNodeRequest,
        response: { 200: NodeView, ...ERRORS },
      },
    },
    async (req) => app.services.nodeLifecycle.rename(adminOf(req), req.params.id, req.body.name),
  );

  app.post(
    routeOf(API.nodeMove),
    {
      config: { permission: 'nodes.move' },
      schema: {
        tags: ['admin'],
        summary:
          'Move a node with its subtree under another parent of the level above (a community to another street); dryRun shows the effect first',
        security: BEARER,
        params: NodeIdParams,
        body: MoveNodeRequest,
        response: { 200: MoveNodeReport, ...ERRORS },
      },
    },
    async (req) => app.services.nodeLifecycle.move(adminOf(req), req.params.id, req.body),
  );

  app.post(
    routeOf(API.nodeRetire),
    {
      config: { permission: 'nodes.retire' },
      schema: {
        tags: ['admin'],
        summary:
          'Retire (remove) an empty node: no children, active devices, accounts, nor records naming it (409 says what is left)',
        security: BEARER,
        params: NodeIdParams,
        response: { 200: NodeView, ...ERRORS },
      },
    },
    async (req) => app.services.nodeLifecycle.retire(adminOf(req), req.params.id),
  );
};

export default nodeRoutes;
