import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { bearerMatches, metricsUnauthorized } from '../../plugins/metrics.js';

/**
 * GET /metrics on the main port: only with `metrics.token` set, and only to a scraper that sends it. Without
 * a token the metrics are off here (404; the separate `metrics.port` listener may still serve them).
 */
export const metricsRoute: FastifyPluginAsync = async (fastify) => {
  fastify.get(API.metrics, { schema: { hide: true }, config: { public: true } }, async (req, reply) => {
    const { token } = fastify.metrics;
    if (token === undefined) {
      throw new LinliError(
        ErrorCode.METRICS_OFF,
        fastify.config.metrics.port === undefined
          ? '/metrics is off: set metrics.token (scrape this port with it) or metrics.port (a separate loopback listener)'
          : `/metrics is served on the metrics listener (${fastify.config.metrics.host}:${fastify.config.metrics.port}), not on this port`,
      );
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer');
      throw metricsUnauthorized();
    }
    return reply.type(fastify.metrics.contentType).send(await fastify.metrics.render());
  });
};

export default metricsRoute;
