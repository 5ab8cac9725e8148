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

/** The Content-Types an upload may declare; anything else is refused before the body is read. */
export const MEDIA_CONTENT_TYPES: readonly string[] = Object.values(FORMATS).map((f) => f.type);

/**
 * Refuses an upload whose Content-Type is not an image type, before its body is read: a JSON body would be
 * parsed into a string, and sharp treats a string as a FILE PATH on this server.
 */
export function assertMediaContentType(header: string | undefined): void {
  const base = header?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!MEDIA_CONTENT_TYPES.includes(base)) {
    throw new LinliError(
      ErrorCode.MEDIA_TYPE,
      `send the image bytes as the body with Content-Type ${MEDIA_CONTENT_TYPES.join(', ')}; ${base ? `not ${base.slice(0, 80)}` : 'no Content-Type was sent'}`,
      { allowed: MEDIA_CONTENT_TYPES },
    );
  }
}

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

  async upload(p: AdminPrincipal, data: unknown): Promise<MediaView> {
    // Defence in depth behind the route's Content-Type check: sharp must only ever see bytes, never a string.
    if (!Buffer.isBuffer(data) || data.length === 0)
      throw new LinliError(
        ErrorCode.MEDIA_INVALID,
        'the upload has no image bytes; send the PNG, JPEG or WebP file as the request body',
      );
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
  if (!Buffer.isBuffer(data)) throw new LinliError(ErrorCode.MEDIA_INVALID, 'send the image bytes');
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
        : 'not a readable PNG, JPEG or WebP image (the bytes do not decode); export it again and re-upload',
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
