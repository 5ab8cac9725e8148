import { framePreviewPng, frameToPng } from '../../../../notice-render/led/frame-png.js';
import {
  LED_DEFAULT_FONT,
  type LedNoticeFrame,
  ledNoticeFrame,
} from '../../../../notice-render/led/led-notice.js';
import { renderScreenPage } from '../../../../notice-render/lobby/screen-page.js';
import type { ScreenState } from '../../../../notice-render/lobby/screen-state.js';
import type { PlayImage } from '../../../../notice-render/play-types.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { NoticeContent, NoticeDraftInput } from '../../../../protocol/schemas/notice-admin.js';
import { type LedPreviewRequest, PREVIEW_LIMITS } from '../../../../protocol/schemas/notice-preview.js';
import type { Repository } from '../../storage/repository.js';
import type { AdminPrincipal } from '../context.js';
import type { HierarchyService } from '../hierarchy.js';
import { normaliseContent } from './notice-content.js';

/** Where the console serves the player's own CSS and JS (console-routes.ts). */
export const PREVIEW_PLAYER_BASE = '/console/player';

/** A stand-in id for the draft on the preview page (a draft has none yet); the shape devices use. */
const DRAFT_ID = 'ntc_00000000000000000000000000';

export interface LedPreview extends LedNoticeFrame {
  png: Buffer;
}

/**
 * Previews of a draft with the devices' own renderers (notice-render/): the LED sign's first frame as PNG and
 * the lobby page as HTML. The draft passes the same checks as a save (normaliseContent: bounds, scope of every
 * target, images uploaded), so a preview that renders is one the API would accept, and a target outside the
 * admin's scope answers 404 here too.
 */
export class NoticePreview {
  readonly #repo: Repository;
  readonly #hierarchy: HierarchyService;
  readonly #now: () => number;

  constructor(repo: Repository, hierarchy: HierarchyService, now: () => number) {
    this.#repo = repo;
    this.#hierarchy = hierarchy;
    this.#now = now;
  }

  #content(p: AdminPrincipal, input: NoticeDraftInput): Promise<NoticeContent> {
    return normaliseContent(input, {
      principal: p,
      hierarchy: this.#hierarchy,
      repo: this.#repo,
      now: this.#now(),
    });
  }

  async led(p: AdminPrincipal, req: LedPreviewRequest): Promise<LedPreview> {
    const content = await this.#content(p, req.notice);
    const panel = req.panel ?? { width: 128, height: 32, colors: 1 as const };
    const scale = req.scale ?? PREVIEW_LIMITS.ledScaleDefault;
    if (panel.width * panel.height * scale * scale > PREVIEW_LIMITS.pixelsMax) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `a ${panel.width}×${panel.height} panel at scale ${scale} is over ${PREVIEW_LIMITS.pixelsMax} pixels; choose a smaller scale`,
        { field: 'scale' },
      );
    }
    const r = await ledNoticeFrame(content, panel, req.font ?? LED_DEFAULT_FONT);
    // Scale 1 is the frame as the panel gets it: the same PNG a sign's screenshot returns (frameToPng).
    const png = scale === 1 ? await frameToPng(r.frame) : await framePreviewPng(r.frame, scale);
    return { ...r, png };
  }

  async lobby(p: AdminPrincipal, input: NoticeDraftInput): Promise<string> {
    const content = await this.#content(p, input);
    const first = content.targets.nodeIds[0];
    const node = first ? await this.#hierarchy.inScope(p, first) : undefined;
    const path = node ? await this.#hierarchy.pathOf(node) : [];
    const images: PlayImage[] = [];
    // The page shows the first image; it is inlined (data: URL), the preview has no device to fetch from.
    const img = content.images[0];
    if (img) {
      const rec = await this.#repo.media.get(img.mediaId);
      const data = await this.#repo.media.data(img.mediaId);
      if (rec && data) {
        images.push({
          src: `data:${rec.contentType};base64,${data.toString('base64')}`,
          width: rec.width,
          height: rec.height,
          ...(img.alt ? { alt: img.alt } : {}),
        });
      }
    }
    const now = this.#now();
    const emergency = content.priority === 'emergency';
    const state: ScreenState = {
      generatedAt: new Date(now).toISOString(),
      deviceId: 'preview',
      community: {
        name: node?.name ?? '',
        path,
        timezone: content.schedule.timezone ?? node?.timezone ?? 'Asia/Shanghai',
      },
      // An emergency never joins the carousel: on a screen it is the takeover (as buildPlayState does).
      emergencies: emergency
        ? [
            {
              noticeId: DRAFT_ID,
              version: 1,
              seq: 1,
              title: content.title,
              body: content.body,
              category: content.category,
              remainingMs: content.emergencyTtlSec * 1000,
              expiresAt: new Date(now + content.emergencyTtlSec * 1000).toISOString(),
            },
          ]
        : [],
      notices: emergency
        ? []
        : [
            {
              id: DRAFT_ID,
              version: 1,
              title: content.title,
              body: content.body,
              category: content.category,
              priority: content.priority,
              images,
              displaySec: content.displaySec,
              expiresAt: content.expiresAt,
            },
          ],
    };
    return renderScreenPage(state, PREVIEW_PLAYER_BASE, { preview: true });
  }
}
