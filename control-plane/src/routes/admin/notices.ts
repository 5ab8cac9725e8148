import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { PublishNoticeRequest, PublishNoticeResponse } from '../../../../protocol/schemas/notice.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

export const noticeAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.addHook('onRequest', app.requireAdmin);

  app.post(
    API.notices,
    {
      schema: {
        tags: ['admin'],
        summary: 'Publish a notice to a node and everything below it (optionally only some device roles)',
        security: BEARER,
        body: PublishNoticeRequest,
        response: { 201: PublishNoticeResponse, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.notices.publish(adminOf(req), req.body)),
  );
};
