import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { BillQuery } from '../../../../protocol/schemas/bill.js';
import { BillsResponse } from '../../../../protocol/schemas/device-api.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

export const billRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    API.deviceBills,
    {
      schema: {
        tags: ['device'],
        summary: 'Open bills for an account, signed and bound to this kiosk for a short time (kiosks only)',
        security: BEARER,
        querystring: BillQuery,
        response: { 200: BillsResponse, ...ERRORS },
      },
    },
    async (req) => app.services.bills.lookup(deviceOf(req), req.query.billerId, req.query.account),
  );
};

export default billRoutes;
