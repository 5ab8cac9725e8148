import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API, IDEMPOTENCY_HEADER } from '../../../../protocol/api.js';
import {
  AuthorizePaymentRequest,
  PaymentIdParams,
  PaymentResponse,
} from '../../../../protocol/schemas/device-api.js';
import {
  CreatePaymentRequest,
  IdempotencyKey,
  ReportUnknownRequest,
} from '../../../../protocol/schemas/payment.js';
import { assertRailsConfigured } from '../../adapters/unconfigured-rails.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS, routeOf } from '../common.js';

const IdempotencyHeaders = Type.Object({ [IDEMPOTENCY_HEADER]: Type.Optional(IdempotencyKey) });

/** Kiosk payments: create (idempotent), present, authorization, unknown, cancel, close, and read back. */
export const paymentRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  const payments = () => app.services.payments;

  app.post(
    API.devicePayments,
    {
      schema: {
        tags: ['device'],
        summary: 'Create a payment for a bill shown on this kiosk; Idempotency-Key header required',
        security: BEARER,
        headers: IdempotencyHeaders,
        body: CreatePaymentRequest,
        response: { 201: PaymentResponse, ...ERRORS },
      },
      // After the device session (onRequest), before the body: no rails, no payment.
      preValidation: async () => assertRailsConfigured(fastify),
    },
    async (req, reply) => {
      const key = req.headers[IDEMPOTENCY_HEADER];
      const result = await payments().create(
        deviceOf(req),
        typeof key === 'string' ? key : undefined,
        req.body,
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(result.statusCode).send(result.body);
    },
  );

  app.get(
    routeOf(API.devicePayment),
    {
      schema: {
        tags: ['device'],
        summary: 'The payment as it stands, signed, with its receipt once there is one',
        security: BEARER,
        params: PaymentIdParams,
        response: { 200: PaymentResponse, ...ERRORS },
      },
    },
    async (req) => payments().get(deviceOf(req), req.params.id),
  );

  const step = (path: string, summary: string, run: 'present' | 'cancel' | 'close') =>
    app.post(
      path,
      {
        schema: {
          tags: ['device'],
          summary,
          security: BEARER,
          params: PaymentIdParams,
          body: EmptyBody,
          response: { 200: PaymentResponse, ...ERRORS },
        },
      },
      async (req) => payments()[run](deviceOf(req), req.params.id),
    );
  step(
    routeOf(API.devicePaymentPresent),
    'The amount is going to the payment terminal, or (QR) the wallet order is created and its code URL returned (created → presented)',
    'present',
  );
  step(
    routeOf(API.devicePaymentCancel),
    'Cancel before money moved: the terminal confirmed nothing was charged, or (QR) the wallet order is closed — if it was paid meanwhile the payment completes instead',
    'cancel',
  );

  app.post(
    routeOf(API.devicePaymentUnknown),
    {
      schema: {
        tags: ['device'],
        summary:
          "The terminal's answer was lost (timeout, no reply): presented → unknown, resolved only by the terminal's status query",
        security: BEARER,
        params: PaymentIdParams,
        body: ReportUnknownRequest,
        response: { 200: PaymentResponse, ...ERRORS },
      },
    },
    async (req) => payments().reportUnknown(deviceOf(req), req.params.id, req.body.reason),
  );
  step(routeOf(API.devicePaymentClose), 'The receipt is printed (receipted → closed)', 'close');

  app.post(
    routeOf(API.devicePaymentAuthorization),
    {
      schema: {
        tags: ['device'],
        summary:
          "The terminal's result: approved → posted, captured and receipted; declined/aborted → canceled. Safe to re-send.",
        security: BEARER,
        params: PaymentIdParams,
        body: AuthorizePaymentRequest,
        response: { 200: PaymentResponse, ...ERRORS },
      },
    },
    async (req) => payments().authorize(deviceOf(req), req.params.id, req.body.terminal),
  );
};

export default paymentRoutes;
