import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { Ok } from '../../../../protocol/schemas/common.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

const Headers = Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 200 })) });

/**
 * Desired-state configuration, device side of the API. The target is sent as prepared JSON text, not
 * through a response schema: the serializer would write each setting schema's `default` into `settings`,
 * which are signed bytes. The report is validated by services/config (TypeBox, strict, no defaults filled).
 */
export const deviceConfigRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    API.deviceConfig,
    {
      schema: {
        tags: ['device'],
        summary:
          'This device\'s signed target state { target: Signed<linli.target-state/v1> }; ETag "<etag>", 304 on If-None-Match',
        security: BEARER,
        headers: Headers,
      },
    },
    async (req, reply) => {
      const target = await app.services.config.target(deviceOf(req).device);
      const etag = `"${target.payload.etag}"`;
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      const match = req.headers['if-none-match'];
      if (match?.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
        return reply.code(304).send();
      }
      return reply.type('application/json; charset=utf-8').send(JSON.stringify({ target }));
    },
  );

  app.post(
    API.deviceConfigReport,
    {
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['device'],
        summary: 'Report what the device did with a target: applied, waiting, partial or refused',
        security: BEARER,
        response: { 200: Ok, ...ERRORS },
      },
    },
    async (req) => {
      await app.services.config.report(deviceOf(req), req.body);
      return { ok: true as const };
    },
  );
};

export default deviceConfigRoutes;
