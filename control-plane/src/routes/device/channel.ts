import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { type ChannelDeps, handleChannel } from '../../hub/channel-handler.js';

/**
 * The device channel (WebSocket). It authenticates inside the socket (server nonce, device signature), not
 * with a bearer header, so it works from any WebSocket client; see protocol/schemas/channel.ts.
 */
export const channelRoutes: FastifyPluginAsync = async (app) => {
  // One deps object for every channel: the handler shares its listeners per deps, and a held connection
  // keeps no per-request logger or request alive (logs carry the deviceId instead).
  const deps: ChannelDeps = {
    hub: app.hub,
    repo: app.repo,
    now: app.now,
    log: app.log,
    health: app.alerts,
    // Commands queued while the device was away go out once it is welcomed (and knows the server clock).
    onWelcome: (deviceId) => void app.services.commands.deliver(deviceId),
  };
  app.get(
    API.deviceChannel,
    {
      websocket: true,
      config: { public: true },
      schema: { hide: true, querystring: Type.Object({}, { additionalProperties: false }) },
    },
    (socket) => {
      handleChannel(socket, deps);
    },
  );
};

export default channelRoutes;
