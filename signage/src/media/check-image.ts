import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { NOTICE_LIMITS } from '../../../protocol/schemas/notice.js';

/** sharp (libvips) loads on first use: roles and screens that never touch an image never map it. */
const loadSharp = async () => (await import('sharp')).default;

/**
 * Decodes an image fully (to a thumbnail) under a pixel limit before any screen gets it: a header can claim a
 * small image and a decompression bomb only shows itself when decoded. A file that passes renders.
 */
export async function checkImage(
  input: string | Buffer,
  limitPixels: number = NOTICE_LIMITS.imagePixelsMax,
): Promise<{ width: number; height: number; format: string }> {
  const sharp = await loadSharp();
  try {
    const img = sharp(input, { limitInputPixels: limitPixels, failOn: 'error' });
    const meta = await img.metadata();
    await img.resize(16, 16, { fit: 'inside' }).raw().toBuffer();
    if (!meta.width || !meta.height || !['png', 'jpeg', 'webp'].includes(meta.format ?? '')) {
      throw new Error(`unsupported format ${meta.format ?? 'unknown'}`);
    }
    return { width: meta.width, height: meta.height, format: meta.format! };
  } catch (cause) {
    const msg = (cause as Error).message;
    const tooLarge = /pixel limit/i.test(msg);
    throw new LinliError(
      tooLarge ? ErrorCode.MEDIA_TOO_LARGE : ErrorCode.MEDIA_INVALID,
      tooLarge
        ? `image has more than ${limitPixels} pixels (decompression bomb?); not shown`
        : `image cannot be decoded (${msg.slice(0, 200)}); not shown`,
      undefined,
      { cause },
    );
  }
}
