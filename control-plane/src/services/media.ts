import sharp, { type Metadata } from 'sharp';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { NOTICE_LIMITS } from '../../../protocol/schemas/notice.js';
import type { MediaView } from '../../../protocol/schemas/notice-admin.js';
import { sha256Hex } from '../../../protocol/tuf/device-view.js';
import type { Repository } from '../storage/repository.js';
import type { MediaRecord } from '../storage/signage-records.js';
import type { AdminPrincipal } from './context.js';

const FORMATS: Record<string, { ext: MediaRecord['ext']; type: string }> = {
  png: { ext: 'png', type: 'image/png' },
  jpeg: { ext: 'jpg', type: 'image/jpeg' },
  webp: { ext: 'webp', type: 'image/webp' },
};

/**
 * Notice images. Checked here before anything is stored (format, byte size, pixel count, and a full decode so
 * a truncated file or a decompression bomb is refused), then kept content-addressed: the SHA-256 is the id
 * devices fetch and verify by.
 */
export class MediaService {
  readonly #repo: Repository;
  readonly #now: () => number;

  constructor(repo: Repository, now: () => number) {
    this.#repo = repo;
    this.#now = now;
  }

  async upload(p: AdminPrincipal, data: Buffer): Promise<MediaView> {
    if (data.length === 0)
      throw new LinliError(ErrorCode.MEDIA_INVALID, 'the upload is empty; send the image bytes');
    if (data.length > NOTICE_LIMITS.imageBytesMax) {
      throw new LinliError(
        ErrorCode.MEDIA_TOO_LARGE,
        `images may be at most ${NOTICE_LIMITS.imageBytesMax} bytes; this one is ${data.length}. Scale it down (1920 px wide is plenty)`,
      );
    }
    const info = await inspectImage(data);
    const sha256 = sha256Hex(data);
    const record: MediaRecord = {
      sha256,
      contentType: info.type,
      ext: info.ext,
      length: data.length,
      width: info.width,
      height: info.height,
      uploadedBy: p.admin.id,
      uploadedAt: this.#now(),
    };
    await this.#repo.media.put(record, data);
    return {
      mediaId: sha256,
      contentType: info.type,
      length: data.length,
      width: info.width,
      height: info.height,
    };
  }
}

export async function inspectImage(
  data: Buffer,
): Promise<{ ext: MediaRecord['ext']; type: string; width: number; height: number }> {
  let meta: Metadata;
  try {
    const img = sharp(data, { limitInputPixels: NOTICE_LIMITS.imagePixelsMax, failOn: 'error' });
    meta = await img.metadata();
    // A full decode to a tiny size: headers can lie, and a bomb only shows itself when decoded.
    await img.resize(16, 16, { fit: 'inside' }).raw().toBuffer();
  } catch (cause) {
    const msg = (cause as Error).message;
    throw new LinliError(
      /pixel limit/i.test(msg) ? ErrorCode.MEDIA_TOO_LARGE : ErrorCode.MEDIA_INVALID,
      /pixel limit/i.test(msg)
        ? `the image has more than ${NOTICE_LIMITS.imagePixelsMax} pixels; scale it down`
        : `not a readable PNG, JPEG or WebP image (${msg})`,
    );
  }
  const format = FORMATS[meta.format ?? ''];
  if (!format || !meta.width || !meta.height) {
    throw new LinliError(
      ErrorCode.MEDIA_INVALID,
      `images must be PNG, JPEG or WebP, not ${meta.format ?? 'unknown'}`,
    );
  }
  return { ...format, width: meta.width, height: meta.height };
}
