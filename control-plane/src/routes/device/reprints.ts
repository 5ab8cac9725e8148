import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  DeviceReprintsResponse,
  ReprintDoneRequest,
  ReprintIdParams,
  ReprintView,
} from '../../../../protocol/schemas/payment-admin.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

/** Receipts staff asked this kiosk to print again, and the kiosk's report of how it went. */
export const deviceReprintRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.get(
    API.deviceReprints,
    {
      schema: {
        tags: ['device'],
        summary: 'Pending reprints for this kiosk, each with the stored signed receipt',
        security: BEARER,
        response: { 200: DeviceReprintsResponse, ...ERRORS },
      },
    },
    async (req) => app.services.reprints.pendingFor(deviceOf(req)),
  );
  app.post(
    routeOf(API.deviceReprintDone),
    {
      schema: {
        tags: ['device'],
        summary: 'The kiosk printed the reprint (or could not, e.g. paper out)',
        security: BEARER,
        params: ReprintIdParams,
        body: ReprintDoneRequest,
        response: { 200: ReprintView, ...ERRORS },
      },
    },
    async (req) => app.services.reprints.done(deviceOf(req), req.params.id, req.body.outcome, req.body.error),
  );
};

export default deviceReprintRoutes;
