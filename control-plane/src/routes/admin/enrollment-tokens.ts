import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  CreateTokenRequest,
  TokenIdParams,
  TokenListQuery,
  TokenListResponse,
  TokenStatusView,
  TokenView,
} from '../../../../protocol/schemas/admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS, routeOf } from '../common.js';

export const enrollmentTokenRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    API.enrollmentTokens,
    {
      config: { permission: 'enrollment.read' },
      schema: {
        tags: ['admin'],
        summary:
          "List the enrollment tokens of a node's subtree (default: the admin's node), newest first; never the token string",
        security: BEARER,
        querystring: TokenListQuery,
        response: { 200: TokenListResponse, ...ERRORS },
      },
    },
    async (req) => ({ tokens: await app.services.enrollment.listTokens(adminOf(req), req.query) }),
  );

  app.post(
    API.enrollmentTokens,
    {
      config: { permission: 'enrollment.create' },
      schema: {
        tags: ['admin'],
        summary: 'Create an enrollment token for a node and a device role; the token string is shown once',
        security: BEARER,
        body: CreateTokenRequest,
        response: { 201: TokenView, ...ERRORS },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await app.services.enrollment.createToken(adminOf(req), req.body)),
  );

  app.post(
    routeOf(API.enrollmentTokenRevoke),
    {
      config: { permission: 'enrollment.revoke' },
      schema: {
        tags: ['admin'],
        summary: 'Revoke an enrollment token; devices already enrolled with it are not affected',
        security: BEARER,
        params: TokenIdParams,
        body: EmptyBody,
        response: { 200: TokenStatusView, ...ERRORS },
      },
    },
    async (req) => app.services.enrollment.revokeToken(adminOf(req), req.params.id),
  );
};

export default enrollmentTokenRoutes;
