import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { NoticesResponse } from '../../../../protocol/schemas/device-api.js';
import { KeysetResponse } from '../../../../protocol/schemas/keyset.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

/** 304 has no body; typed as undefined so the handler can send nothing. */
const NotModified = Type.Unsafe<undefined>({ description: 'unchanged since If-None-Match; no body' });
const IfNoneMatch = Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 200 })) });

/** What every device role reads: the keyset and the notices that apply to it. */
export const deviceContentRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.addHook('onRequest', app.requireDevice);

  app.get(
    API.deviceKeyset,
    {
      schema: {
        tags: ['device'],
        summary: 'The current keyset, signed by the root key pinned at enrollment',
        security: BEARER,
        response: { 200: KeysetResponse, ...ERRORS },
      },
    },
    async () => ({ keyset: app.keys.keyset }),
  );

  app.get(
    API.deviceNotices,
    {
      schema: {
        tags: ['device'],
        summary: 'Signed notices for this device (its node and above, its role, not expired); ETag + 304',
        security: BEARER,
        headers: IfNoneMatch,
        response: {
          200: NoticesResponse,
          304: NotModified,
          ...ERRORS,
        },
      },
    },
    async (req, reply) => {
      const result = await app.services.notices.forDevice(deviceOf(req));
      const etag = `"${result.version}"`;
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      const inm = req.headers['if-none-match'];
      if (inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
        return reply.code(304).send(undefined);
      }
      return result;
    },
  );
};
