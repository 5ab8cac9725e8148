import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { DeviceIdParams } from '../../../../protocol/schemas/admin.js';
import { NOTICE_LIMITS } from '../../../../protocol/schemas/notice.js';
import { MediaView } from '../../../../protocol/schemas/notice-admin.js';
import {
  DevicePlaysResponse,
  PlaysQuery,
  ScreenshotResponse,
} from '../../../../protocol/schemas/signage-device.js';
import { adminOf } from '../../plugins/auth.js';
import { assertMediaContentType, MEDIA_CONTENT_TYPES } from '../../services/media.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS, routeOf } from '../common.js';

/** Notice images, a device's proof of play, and screenshots of what a device shows. */
export const signageAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  // Raw image bytes, only on this plugin's routes; one byte over the limit is refused before it is read.
  app.addContentTypeParser(
    [...MEDIA_CONTENT_TYPES],
    { parseAs: 'buffer', bodyLimit: NOTICE_LIMITS.imageBytesMax },
    (_req, body, done) => done(null, body),
  );

  app.post(
    API.media,
    {
      config: { permission: 'media.upload' },
      bodyLimit: NOTICE_LIMITS.imageBytesMax,
      // Before the body is read: a JSON body would reach sharp as a string, i.e. a file path.
      preParsing: async (req) => assertMediaContentType(req.headers['content-type']),
      schema: {
        tags: ['admin'],
        summary: `Upload a notice image (PNG, JPEG or WebP body, at most ${NOTICE_LIMITS.imageBytesMax} bytes); its id is its SHA-256`,
        security: BEARER,
        response: { 201: MediaView, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.media.upload(adminOf(req), req.body)),
  );

  app.get(
    routeOf(API.devicePlays),
    {
      config: { permission: 'devices.plays' },
      schema: {
        tags: ['admin'],
        summary: 'Proof of play of one device: what it showed, newest first',
        security: BEARER,
        params: DeviceIdParams,
        querystring: PlaysQuery,
        response: { 200: DevicePlaysResponse, ...ERRORS },
      },
    },
    async (req) => app.services.plays.forDevice(adminOf(req), req.params.id, req.query),
  );

  app.post(
    routeOf(API.deviceScreenshot),
    {
      config: { permission: 'devices.screenshot' },
      schema: {
        tags: ['admin'],
        summary: 'Ask a lobby screen or LED sign for what it shows now, as PNG (base64)',
        security: BEARER,
        params: DeviceIdParams,
        body: EmptyBody,
        response: { 200: ScreenshotResponse, ...ERRORS },
      },
    },
    async (req) => app.services.screenshots.request(adminOf(req), req.params.id),
  );
};

export default signageAdminRoutes;
