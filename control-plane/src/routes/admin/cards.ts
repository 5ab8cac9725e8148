import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  CardIdParams,
  CardListQuery,
  CardListResponse,
  CardView,
  LinkCardRequest,
} from '../../../../protocol/schemas/card.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS, routeOf } from '../common.js';

/** Resident cards, managed by community staff within their scope. */
export const cardAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.post(
    API.cards,
    {
      config: { permission: 'cards.link' },
      schema: {
        tags: ['admin'],
        summary:
          'Link a resident card UID to accounts of a community (each account checked with its biller); linking the same UID again replaces its accounts',
        security: BEARER,
        body: LinkCardRequest,
        response: { 201: CardView, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.cards.link(adminOf(req), req.body)),
  );
  app.get(
    API.cards,
    {
      config: { permission: 'cards.read' },
      schema: {
        tags: ['admin'],
        summary: 'Active resident cards at a node and below it (default: your node)',
        security: BEARER,
        querystring: CardListQuery,
        response: { 200: CardListResponse, ...ERRORS },
      },
    },
    async (req) => ({ cards: await app.services.cards.list(adminOf(req), req.query.nodeId) }),
  );
  app.post(
    routeOf(API.cardRevoke),
    {
      config: { permission: 'cards.revoke' },
      schema: {
        tags: ['admin'],
        summary: 'Unlink a card (lost or returned); kiosks stop recognising it at once',
        security: BEARER,
        params: CardIdParams,
        body: EmptyBody,
        response: { 200: CardView, ...ERRORS },
      },
    },
    async (req) => app.services.cards.revoke(adminOf(req), req.params.id),
  );
};

export default cardAdminRoutes;
