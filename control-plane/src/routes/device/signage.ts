import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { Ok } from '../../../../protocol/schemas/common.js';
import {
  FaultReport,
  ScreenshotUpload,
  UploadPlaysRequest,
  UploadPlaysResponse,
} from '../../../../protocol/schemas/signage-device.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

/** What signage devices send back: proof of play, render faults, screenshots. */
export const deviceSignageRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.post(
    API.devicePlaysUpload,
    {
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['device'],
        summary: 'Upload buffered proof of play (idempotent by playId)',
        security: BEARER,
        body: UploadPlaysRequest,
        response: { 200: UploadPlaysResponse, ...ERRORS },
      },
    },
    async (req) => app.services.plays.upload(deviceOf(req), req.body),
  );

  app.post(
    API.deviceFaults,
    {
      schema: {
        tags: ['device'],
        summary: 'Report a notice the device could not render and has quarantined',
        security: BEARER,
        body: FaultReport,
        response: { 200: Ok, ...ERRORS },
      },
    },
    async (req) => {
      await app.services.plays.fault(deviceOf(req), req.body);
      return { ok: true as const };
    },
  );

  app.post(
    routeOf(API.deviceScreenshotUpload),
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['device'],
        summary: 'Answer a screenshot command with PNGs of the lobby screen and the LED frame',
        security: BEARER,
        params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) }),
        body: ScreenshotUpload,
        response: { 200: Ok, ...ERRORS },
      },
    },
    async (req) => {
      await app.services.screenshots.receive(deviceOf(req), req.params.id, req.body);
      return { ok: true as const };
    },
  );
};

export default deviceSignageRoutes;
