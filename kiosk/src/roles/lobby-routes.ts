import type {} from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import {
  PLAYER_ASSETS,
  type PlayerAsset,
  readPlayerAsset,
} from '../../../notice-render/lobby/player-assets.js';
import { renderScreenPage } from '../../../notice-render/lobby/screen-page.js';
import type { ScreenState } from '../../../notice-render/lobby/screen-state.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { IdSchema, IsoTime } from '../../../protocol/schemas/common.js';
import { isValid } from '../../../protocol/validate.js';
import type { PlayState } from '../../../signage/src/play-state.js';
import type { ContentUnit } from '../content/content-unit.js';
import type { Logger } from '../logger.js';
import { mediaRoute } from './media-route.js';

export interface LobbyRoutesOptions {
  state: () => ScreenState;
  content: ContentUnit;
  /** True while the device channel to the control plane is up (shown as online/offline on screen). */
  online: () => boolean;
  onLinkChange: (fn: (online: boolean) => void) => void;
  /** Something in the state besides playback changed (a remote setting): push it to the page. */
  onStateChange?: (fn: () => void) => void;
  log: Logger;
}

/**
 * What the page reports: a showing (proof of play: as it starts, as it goes on and as it ends, under one play
 * id), or a notice that failed to render (quarantine).
 */
const Played = Type.Object({
  type: Type.Literal('played'),
  playId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{16,40}$' })),
  noticeId: IdSchema('ntc'),
  version: Type.Integer({ minimum: 1 }),
  startedAt: IsoTime,
  durationMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
  emergency: Type.Optional(Type.Boolean()),
});
const Fault = Type.Object({
  type: Type.Literal('fault'),
  noticeId: IdSchema('ntc'),
  version: Type.Integer({ minimum: 1 }),
  reason: Type.String({ maxLength: 500 }),
});

/**
 * The lobby screen: GET /screen (rendered with the playing notices in it), its assets, verified media,
 * GET /screen/state.json (what is shown, for tests and monitoring) and /screen/ws, which pushes every change
 * so the page updates without reloading, and carries the page's proof of play and render faults back.
 */
export async function lobbyRoutes(app: FastifyInstance, opts: LobbyRoutesOptions): Promise<void> {
  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const onState = () => {
    const state = remember(opts.state());
    for (const ws of clients) send(ws, { type: 'state', state });
  };
  opts.content.playback.on('change', onState);
  opts.onStateChange?.(onState);
  opts.onLinkChange((online) => {
    for (const ws of clients) send(ws, { type: 'link', online });
  });
  app.addHook('onClose', async () => {
    opts.content.playback.off('change', onState);
    for (const ws of clients) ws.close(1001, 'device stopping');
  });

  // What the page may report on: anything the device has sent it (an emergency's showing is reported again
  // when it ends, after it left the state). Bounded: the oldest keys go first.
  const sent = new Set<string>();
  const remember = <S extends PlayState>(state: S): S => {
    for (const k of [
      ...state.notices.map((n) => `${n.id}@${n.version}`),
      ...state.emergencies.map((e) => `${e.noticeId}@${e.version}`),
    ]) {
      sent.delete(k);
      sent.add(k);
    }
    while (sent.size > 2000) sent.delete(sent.values().next().value as string);
    return state;
  };
  const known = (id: string, version: number, state: PlayState) =>
    sent.has(`${id}@${version}`) || state.notices.some((n) => n.id === id && n.version === version);

  const onPageMessage = (data: RawData) => {
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (isValid(Played, msg)) {
      if (!known(msg.noticeId, msg.version, opts.state())) return;
      opts.content.plays
        .record({
          ...(msg.playId ? { playId: msg.playId } : {}),
          noticeId: msg.noticeId,
          version: msg.version,
          startedAt: msg.startedAt,
          durationMs: msg.durationMs,
          surface: 'lobby',
          ...(msg.emergency ? { emergency: true } : {}),
        })
        .catch((err: unknown) => opts.log.error({ err: (err as Error).message }, 'plays: could not record'));
    } else if (isValid(Fault, msg)) {
      if (!known(msg.noticeId, msg.version, opts.state())) return;
      void opts.content.quarantine.add(msg.noticeId, msg.version, ErrorCode.NOTICE_RENDER, msg.reason);
    }
  };

  app.get('/', async (_req, reply) => reply.redirect('/screen'));

  app.get('/screen', async (_req, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderScreenPage(remember(opts.state()))),
  );

  for (const name of Object.keys(PLAYER_ASSETS) as PlayerAsset[]) {
    app.get(`/screen/${name}`, async (_req, reply) =>
      reply
        .header('content-type', PLAYER_ASSETS[name])
        .header('cache-control', 'no-cache')
        .send(await readPlayerAsset(name)),
    );
  }

  mediaRoute(app, '/screen/media', opts.content.sync);

  app.get('/screen/state.json', async (_req, reply) =>
    reply.header('cache-control', 'no-store').send({ ...opts.state(), online: opts.online() }),
  );

  app.get('/screen/ws', { websocket: true }, (socket) => {
    clients.add(socket);
    socket.on('message', onPageMessage);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => clients.delete(socket));
    send(socket, { type: 'state', state: remember(opts.state()) });
    send(socket, { type: 'link', online: opts.online() });
  });
}
