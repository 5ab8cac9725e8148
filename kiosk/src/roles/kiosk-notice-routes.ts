import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { winningEmergency } from '../../../notice-render/emergency-precedence.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { IdSchema, IsoTime } from '../../../protocol/schemas/common.js';
import type { ContentUnit } from '../content/content-unit.js';
import { mediaRoute } from './media-route.js';

const OVERLAY = fileURLToPath(
  new URL('../../../signage/src/kiosk-overlay/emergency-overlay.js', import.meta.url),
);

/**
 * Notices on the kiosk (the contract with the kiosk touch UI):
 *   GET  /kiosk/api/emergency   → {active:false} | {active:true, notice:{id,title,body,category}, expiresAt}
 *                                  (exactly this shape: the kiosk UI's contract)
 *   GET  /kiosk/api/notices     → {notices:[{id,version,title,body,category,priority,images,displaySec,expiresAt}]}
 *   GET  /kiosk/media/<sha256>  → a verified notice image
 *   POST /kiosk/api/notice-plays {playId?,noticeId,version?,startedAt,durationMs,emergency?} → proof of play
 *                                  (the same playId again: the showing goes on or ended, with its length)
 *   GET  /kiosk/emergency-overlay.js → the takeover shown on the kiosk page while it is idle
 */
export async function kioskNoticeRoutes(app: FastifyInstance, content: ContentUnit): Promise<void> {
  app.get('/kiosk/api/emergency', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    // Several live at once: the same rule as the lobby page and the LED sign picks the one shown.
    const e = winningEmergency(content.playback.current().emergencies);
    if (!e) return { active: false };
    return {
      active: true,
      notice: {
        id: e.noticeId,
        title: e.title,
        body: e.body,
        category: e.category,
      },
      expiresAt: e.expiresAt,
    };
  });

  app.get('/kiosk/api/notices', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    const state = content.playback.current((sha) => `/kiosk/media/${sha}`);
    return {
      notices: state.notices.map((n) => ({
        id: n.id,
        version: n.version,
        title: n.title,
        body: n.body,
        category: n.category,
        priority: n.priority,
        images: n.images.map((i) => ({
          url: i.src,
          width: i.width,
          height: i.height,
          ...(i.alt ? { alt: i.alt } : {}),
        })),
        displaySec: n.displaySec,
        expiresAt: n.expiresAt,
      })),
    };
  });

  mediaRoute(app, '/kiosk/media', content.sync);

  app.post<{
    Body: {
      playId?: string;
      noticeId: string;
      version?: number;
      startedAt: string;
      durationMs: number;
      emergency?: boolean;
    };
  }>(
    '/kiosk/api/notice-plays',
    {
      schema: {
        body: Type.Object(
          {
            playId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{16,40}$' })),
            noticeId: IdSchema('ntc'),
            version: Type.Optional(Type.Integer({ minimum: 1 })),
            startedAt: IsoTime,
            durationMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
            emergency: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const b = req.body;
      // Only what this device showed: a notice it plays, or an emergency it put up (the takeover is reported
      // by notice id; the version is the one the device showed).
      const version =
        b.version ??
        content.emergencies.shownVersion(b.noticeId) ??
        content.sync.notices().find((n) => n.id === b.noticeId)?.version;
      const known =
        version !== undefined &&
        (content.emergencies.shownVersion(b.noticeId) === version ||
          content.sync.notices().some((n) => n.id === b.noticeId && n.version === version));
      if (!known) {
        throw new LinliError(
          ErrorCode.NOTICE_NOT_FOUND,
          `this kiosk did not show notice ${b.noticeId}; nothing recorded`,
        );
      }
      await content.plays.record({
        ...(b.playId ? { playId: b.playId } : {}),
        noticeId: b.noticeId,
        version,
        startedAt: b.startedAt,
        durationMs: b.durationMs,
        surface: 'kiosk',
        ...(b.emergency ? { emergency: true } : {}),
      });
      return { ok: true };
    },
  );

  app.get('/kiosk/emergency-overlay.js', async (_req, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await readFile(OVERLAY)),
  );
}
