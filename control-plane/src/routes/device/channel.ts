import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { handleChannel } from '../../hub/channel-handler.js';

/**
 * The device channel (WebSocket). It authenticates inside the socket (server nonce, device signature), not
 * with a bearer header, so it works from any WebSocket client; see protocol/schemas/channel.ts.
 */
export const channelRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    API.deviceChannel,
    {
      websocket: true,
      config: { public: true },
      schema: { hide: true, querystring: Type.Object({}, { additionalProperties: false }) },
    },
    (socket, req) => {
      handleChannel(socket, { hub: app.hub, repo: app.repo, now: app.now, log: req.log });
    },
  );
};

export default channelRoutes;
