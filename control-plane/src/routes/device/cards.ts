import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { CardBillsRequest, CardBillsResponse } from '../../../../protocol/schemas/card.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

/** A resident card read at a kiosk: its linked accounts (this community only) with their signed bills. */
export const deviceCardRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.post(
    API.deviceCardBills,
    {
      schema: {
        tags: ['device'],
        summary:
          'Accounts linked to a resident card (POST so the UID stays out of URLs and logs), each with signed bills',
        security: BEARER,
        body: CardBillsRequest,
        response: { 200: CardBillsResponse, ...ERRORS },
      },
    },
    async (req) => app.services.bills.cardBills(deviceOf(req), req.body.cardUid),
  );
};

export default deviceCardRoutes;
