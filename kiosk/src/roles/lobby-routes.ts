import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import {
  PLAYER_ASSETS,
  type PlayerAsset,
  readPlayerAsset,
} from '../../../signage/src/player/player-assets.js';
import { renderScreenPage } from '../../../signage/src/player/screen-page.js';
import type { ScreenState } from '../../../signage/src/player/screen-state.js';
import type { ScreenFeed } from './screen-feed.js';

export interface LobbyRoutesOptions {
  feed: ScreenFeed;
  /** True while the device channel to the control plane is up (shown as online/offline on screen). */
  online: () => boolean;
  onLinkChange: (fn: (online: boolean) => void) => void;
}

/**
 * The lobby screen: GET /screen (rendered with the verified notices in it), its assets, GET /screen/state.json
 * (what is shown, for tests and monitoring) and /screen/ws, which pushes every change so the page updates
 * without reloading.
 */
export async function lobbyRoutes(app: FastifyInstance, opts: LobbyRoutesOptions): Promise<void> {
  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const onState = (state: ScreenState) => {
    for (const ws of clients) send(ws, { type: 'state', state });
  };
  opts.feed.on('state', onState);
  opts.onLinkChange((online) => {
    for (const ws of clients) send(ws, { type: 'link', online });
  });
  app.addHook('onClose', async () => {
    opts.feed.off('state', onState);
    for (const ws of clients) ws.close(1001, 'device stopping');
  });

  app.get('/', async (_req, reply) => reply.redirect('/screen'));

  app.get('/screen', async (_req, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderScreenPage(opts.feed.state)),
  );

  for (const name of Object.keys(PLAYER_ASSETS) as PlayerAsset[]) {
    app.get(`/screen/${name}`, async (_req, reply) =>
      reply
        .header('content-type', PLAYER_ASSETS[name])
        .header('cache-control', 'no-cache')
        .send(await readPlayerAsset(name)),
    );
  }

  app.get('/screen/state.json', async (_req, reply) =>
    reply.header('cache-control', 'no-store').send({ ...opts.feed.state, online: opts.online() }),
  );

  app.get('/screen/ws', { websocket: true }, (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => clients.delete(socket));
    send(socket, { type: 'state', state: opts.feed.state });
    send(socket, { type: 'link', online: opts.online() });
  });
}
