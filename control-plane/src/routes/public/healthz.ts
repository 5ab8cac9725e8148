import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { HealthResponse } from '../../../../protocol/schemas/health.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { VERSION } from '../../version.js';
import { ERRORS } from '../common.js';

export const healthRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  const startedAt = Date.now();

  app.get(
    API.healthz,
    {
      schema: {
        tags: ['public'],
        summary: '200 when the control plane can serve; 503 when its storage does not answer',
        response: { 200: HealthResponse, 503: HealthResponse, ...ERRORS },
      },
      logLevel: 'warn',
    },
    async (_req, reply) => {
      const storageOk = await app.repo.ping();
      const body = {
        ok: storageOk,
        version: VERSION,
        storage: { engine: app.repo.engine, ok: storageOk },
        uptimeSec: Math.floor((Date.now() - startedAt) / 1000),
      };
      return reply.code(storageOk ? 200 : 503).send(body);
    },
  );
};

export default healthRoutes;
