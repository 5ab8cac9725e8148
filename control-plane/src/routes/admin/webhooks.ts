import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { IdSchema } from '../../../../protocol/schemas/common.js';
import {
  CreatedWebhookView,
  CreateWebhookRequest,
  DeliveryListQuery,
  DeliveryListView,
  UpdateWebhookRequest,
  WebhookDeliveryView,
  WebhookIdParams,
  WebhookListView,
  WebhookView,
} from '../../../../protocol/schemas/webhooks.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS, routeOf } from '../common.js';

const NodeParams = Type.Object({ id: IdSchema('node') }, { additionalProperties: false });
const Deleted = Type.Null({ description: 'deleted' });

/** Webhook endpoints of a node and their deliveries (issue 12); docs/running-a-city.md "Webhooks". */
export const webhookRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  const tags = ['admin'];
  const config = { permission: 'webhooks.manage' } as const;

  app.get(
    routeOf(API.nodeWebhooks),
    {
      config,
      schema: {
        tags,
        summary: 'The webhook endpoints this node owns',
        security: BEARER,
        params: NodeParams,
        response: { 200: WebhookListView, ...ERRORS },
      },
    },
    async (req) => ({ items: await app.webhooks.list(adminOf(req), req.params.id) }),
  );

  app.post(
    routeOf(API.nodeWebhooks),
    {
      config,
      schema: {
        tags,
        summary:
          'Register a webhook endpoint on a node: it hears the events of this node and everything below it; the signing secret is in this answer only',
        security: BEARER,
        params: NodeParams,
        body: CreateWebhookRequest,
        response: { 201: CreatedWebhookView, ...ERRORS },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await app.webhooks.create(adminOf(req), req.params.id, req.body)),
  );

  app.get(
    routeOf(API.webhook),
    {
      config,
      schema: {
        tags,
        summary: 'One webhook endpoint (never its secret)',
        security: BEARER,
        params: WebhookIdParams,
        response: { 200: WebhookView, ...ERRORS },
      },
    },
    async (req) => app.webhooks.get(adminOf(req), req.params.id),
  );

  app.patch(
    routeOf(API.webhook),
    {
      config,
      schema: {
        tags,
        summary:
          'Change the URL, events or description, or switch the endpoint off or on (off fails its pending deliveries)',
        security: BEARER,
        params: WebhookIdParams,
        body: UpdateWebhookRequest,
        response: { 200: WebhookView, ...ERRORS },
      },
    },
    async (req) => app.webhooks.update(adminOf(req), req.params.id, req.body),
  );

  app.delete(
    routeOf(API.webhook),
    {
      config,
      schema: {
        tags,
        summary: 'Remove a webhook endpoint and its delivery history',
        security: BEARER,
        params: WebhookIdParams,
        response: { 204: Deleted, ...ERRORS },
      },
    },
    async (req, reply) => {
      await app.webhooks.remove(adminOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    routeOf(API.webhookDeliveries),
    {
      config,
      schema: {
        tags,
        summary: "The endpoint's deliveries, newest first, with their state, attempts and last error",
        security: BEARER,
        params: WebhookIdParams,
        querystring: DeliveryListQuery,
        response: { 200: DeliveryListView, ...ERRORS },
      },
    },
    async (req) => ({ items: await app.webhooks.deliveries(adminOf(req), req.params.id, req.query) }),
  );

  app.post(
    routeOf(API.webhookRotateSecret),
    {
      config,
      schema: {
        tags,
        summary:
          'Replace the signing secret; the new one is in this answer only and signs every attempt from now on',
        security: BEARER,
        params: WebhookIdParams,
        body: EmptyBody,
        response: { 200: CreatedWebhookView, ...ERRORS },
      },
    },
    async (req) => app.webhooks.rotateSecret(adminOf(req), req.params.id),
  );

  app.post(
    routeOf(API.webhookTest),
    {
      config,
      schema: {
        tags,
        summary: 'Send a webhook.test event to this endpoint now; answers the delivery (poll it in the list)',
        security: BEARER,
        params: WebhookIdParams,
        body: EmptyBody,
        response: { 202: WebhookDeliveryView, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(202).send(await app.webhooks.test(adminOf(req), req.params.id)),
  );
};

export default webhookRoutes;
