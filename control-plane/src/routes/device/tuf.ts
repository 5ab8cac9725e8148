import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER } from '../common.js';

const FileParams = Type.Object({ file: Type.String({ maxLength: 64, pattern: '^[0-9a-z.]+$' }) });
const Headers = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 200 })),
  range: Type.Optional(Type.String({ maxLength: 100 })),
});

/** `bytes=N-` or `bytes=N-M`: the only ranges a resuming device sends. */
function parseRange(header: string | undefined, length: number): [number, number] | undefined | 'invalid' {
  if (!header) return undefined;
  const m = /^bytes=(\d{1,12})-(\d{0,12})$/.exec(header.trim());
  if (!m) return 'invalid';
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), length - 1) : length - 1;
  if (start >= length || end < start) return 'invalid';
  return [start, end];
}

function sendBytes(reply: FastifyReply, data: Buffer, contentType: string, range: string | undefined) {
  reply.header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=31536000, immutable');
  const r = parseRange(range, data.length);
  if (r === 'invalid') {
    return reply
      .code(416)
      .header('content-range', `bytes */${data.length}`)
      .type(contentType)
      .send(Buffer.alloc(0));
  }
  if (r) {
    return reply
      .code(206)
      .header('content-range', `bytes ${r[0]}-${r[1]}/${data.length}`)
      .type(contentType)
      .send(data.subarray(r[0], r[1] + 1));
  }
  return reply.type(contentType).send(data);
}

/**
 * The device's own TUF repository view. Metadata: `<v>.root.json` (the chain), `timestamp.json` (ETag/304, the
 * cheap poll), `<v>.snapshot.json`, `<v>.targets.json`. Targets by content hash, with Range for resuming.
 */
export const deviceTufRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    `${API.deviceTufMetadata}/:file`,
    {
      schema: {
        tags: ['device'],
        summary:
          "TUF metadata of this device's repository view (timestamp.json answers If-None-Match with 304)",
        security: BEARER,
        params: FileParams,
        headers: Headers,
      },
    },
    async (req, reply) => {
      const device = deviceOf(req).device;
      const { file } = req.params;
      if (file === 'timestamp.json') {
        const view = await app.services.tuf.view(device);
        const etag = `"ts-${view.rootVersion}-${view.timestampVersion}"`;
        reply.header('etag', etag).header('cache-control', 'private, no-cache');
        if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) {
          return reply.code(304).send();
        }
        return reply.type('application/json').send(view.timestampText);
      }
      const text = await app.services.tuf.metadata(device, file);
      return reply.type('application/json').header('cache-control', 'private, no-cache').send(text);
    },
  );

  app.get(
    `${API.deviceTufTargets}/*`,
    {
      schema: {
        tags: ['device'],
        summary:
          'A TUF target by its hashed name: manifest/<sha256>.<deviceId>.json or media/<sha256>.<sha256>.<ext>',
        security: BEARER,
        headers: Headers,
      },
    },
    async (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      if (typeof path !== 'string' || path.length > 200) {
        throw new LinliError(ErrorCode.TARGET_MISSING, 'no such target');
      }
      const body = await app.services.tuf.target(deviceOf(req).device, path);
      return sendBytes(reply, body.data, body.contentType, req.headers.range);
    },
  );
};

export default deviceTufRoutes;
