import websocket from '@fastify/websocket';
import fp from 'fastify-plugin';
import { CloseCode } from '../../../protocol/schemas/channel.js';
import { MAX_CHANNEL_MESSAGE_BYTES } from '../hub/channel-handler.js';
import { DeviceHub } from '../hub/device-hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    hub: DeviceHub;
  }
}

/** The WebSocket server and the hub of device channels, closed with "server restart" on shutdown. */
export const hubPlugin = fp(
  async (fastify) => {
    const hub = new DeviceHub({
      repo: fastify.repo,
      now: fastify.now,
      heartbeatSec: fastify.config.heartbeatSec,
      log: fastify.log,
    });
    fastify.decorate('hub', hub);
    await fastify.register(websocket, {
      // No compression (device messages are small; per-socket zlib state would cost memory and rule out the
      // hub's framed-once fan-out).
      options: { maxPayload: MAX_CHANNEL_MESSAGE_BYTES, perMessageDeflate: false },
      preClose(done) {
        hub.stop();
        // Sockets still in their handshake are not in the hub; close them the same way.
        for (const client of fastify.websocketServer.clients) {
          client.close(CloseCode.SERVER_RESTART, 'server restarting');
        }
        // Gathered presence is written before storage closes.
        fastify.websocketServer.close(() => void hub.flushPresence().then(() => done()));
      },
    });
    fastify.addHook('onReady', async () => hub.start());
  },
  { name: 'linli-hub', dependencies: ['linli-storage', 'linli-config'] },
);

export default hubPlugin;
