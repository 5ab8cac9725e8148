import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { LedPreviewRequest, LobbyPreviewRequest } from '../../../../protocol/schemas/notice-preview.js';
import { adminOf } from '../../plugins/auth.js';
import { NoticePreview } from '../../services/notices/notice-preview.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

/**
 * Previews of a draft for the console's composer, drawn by the devices' own code (notice-render/): the LED
 * sign's first frame (PNG) and the lobby page (HTML, loaded by the console into a sandboxed frame with the
 * player's CSS and JS from /console/player/). Staff draft, so they preview too (`notices.draft`).
 */
export const noticePreviewRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  const preview = new NoticePreview(app.repo, app.services.hierarchy, app.now);

  app.post(
    API.noticePreviewLed,
    {
      config: { permission: 'notices.draft' },
      schema: {
        tags: ['admin'],
        summary:
          'A draft as the LED sign draws it: its first frame as PNG (scale 1: 1:1 as the panel gets it; 2+: LED dots); headers x-linli-led-text (URI-encoded), x-linli-led-text-width, x-linli-led-scrolls',
        security: BEARER,
        body: LedPreviewRequest,
        response: { 200: Type.Unknown({ description: 'image/png' }), ...ERRORS },
      },
    },
    async (req, reply) => {
      const r = await preview.led(adminOf(req), req.body);
      return reply
        .header('content-type', 'image/png')
        .header('cache-control', 'no-store')
        .header('x-linli-led-text', encodeURIComponent(r.text.slice(0, 200)))
        .header('x-linli-led-text-width', String(r.textWidth))
        .header('x-linli-led-scrolls', String(r.scrolls))
        .send(r.png);
    },
  );

  app.post(
    API.noticePreviewLobby,
    {
      config: { permission: 'notices.draft' },
      schema: {
        tags: ['admin'],
        summary:
          "A draft on the lobby page of its first target's community, rendered by the lobby player's own code (HTML)",
        security: BEARER,
        body: LobbyPreviewRequest,
        response: { 200: Type.Unknown({ description: 'text/html' }), ...ERRORS },
      },
    },
    async (req, reply) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(await preview.lobby(adminOf(req), req.body.notice)),
  );
};

export default noticePreviewRoutes;
