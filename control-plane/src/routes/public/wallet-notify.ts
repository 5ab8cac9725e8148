import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { ERRORS } from '../common.js';

const Ack = Type.Object({ code: Type.Literal('SUCCESS'), message: Type.String() });

/**
 * The wallet provider's asynchronous notifications. The signature covers the exact body bytes, so this
 * route keeps the raw body (its own JSON parser, encapsulated here) and verifies before anything else.
 */
export const walletNotifyRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => done(null, body),
  );
  app.post(
    API.walletNotify,
    {
      schema: {
        tags: ['public'],
        summary:
          'Signed wallet notification (at least once; duplicates by event id are acknowledged and ignored; forged or stale ones refused)',
        response: { 200: Ack, ...ERRORS },
      },
    },
    async (req) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      const r = await app.services.walletWebhooks.receive(req.headers, raw);
      return { code: 'SUCCESS' as const, message: r.duplicate ? 'duplicate ignored' : '成功' };
    },
  );
};

export default walletNotifyRoutes;
