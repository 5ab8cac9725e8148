import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { ContentSync } from '../content/content-sync.js';

const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

/** Serves verified media by hash under a prefix (`/screen/media/<sha256>`): only what the manifest names. */
export function mediaRoute(app: FastifyInstance, prefix: string, content: ContentSync): void {
  app.get<{ Params: { sha: string } }>(`${prefix}/:sha`, async (req, reply) => {
    const sha = req.params.sha;
    const file = /^[0-9a-f]{64}$/.test(sha) ? content.mediaFile(sha) : undefined;
    const image = content
      .notices()
      .flatMap((n) => n.images)
      .find((i) => i.sha256 === sha);
    if (!file || !image)
      throw new LinliError(ErrorCode.MEDIA_NOT_FOUND, `no verified image ${sha.slice(0, 64)} on this device`);
    const ext = image.target.split('.').pop() ?? '';
    return reply
      .header('content-type', TYPES[ext] ?? 'application/octet-stream')
      .header('cache-control', 'private, max-age=86400, immutable')
      .send(await readFile(file));
  });
}
