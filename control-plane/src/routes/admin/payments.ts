import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API, IDEMPOTENCY_HEADER } from '../../../../protocol/api.js';
import { PaymentIdParams } from '../../../../protocol/schemas/device-api.js';
import { IdempotencyKey } from '../../../../protocol/schemas/payment.js';
import {
  AdminPaymentView,
  PaymentListQuery,
  PaymentListResponse,
  RefundRequest,
  RefundResponse,
  ReprintRequest,
  ReprintView,
} from '../../../../protocol/schemas/payment-admin.js';
import { ReconciliationQuery, ReconciliationReport } from '../../../../protocol/schemas/reconciliation.js';
import { adminOf } from '../../plugins/auth.js';
import { reportCsv } from '../../services/payments/reconciliation.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

const IdempotencyHeaders = Type.Object({ [IDEMPOTENCY_HEADER]: Type.Optional(IdempotencyKey) });

/** Payments for admins: list and inspect (with the audit trail), refund, reprint, reconcile. */
export const paymentAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    API.adminPayments,
    {
      config: { permission: 'payments.read' },
      schema: {
        tags: ['admin'],
        summary: 'Payments of the communities at a node and below it, optionally of one day or state',
        security: BEARER,
        querystring: PaymentListQuery,
        response: { 200: PaymentListResponse, ...ERRORS },
      },
    },
    async (req) => ({ payments: await app.services.paymentsAdmin.list(adminOf(req), req.query) }),
  );

  app.get(
    routeOf(API.adminPayment),
    {
      config: { permission: 'payments.read' },
      schema: {
        tags: ['admin'],
        summary: 'One payment with its refunds and every state transition (who, when, why)',
        security: BEARER,
        params: PaymentIdParams,
        response: { 200: AdminPaymentView, ...ERRORS },
      },
    },
    async (req) => app.services.paymentsAdmin.get(adminOf(req), req.params.id),
  );

  app.post(
    routeOf(API.adminPaymentRefunds),
    {
      config: { permission: 'payments.refund' },
      schema: {
        tags: ['admin'],
        summary:
          'Refund all or part of a receipted payment (admin role; Idempotency-Key header required; the same key and body return the same refund)',
        security: BEARER,
        params: PaymentIdParams,
        headers: IdempotencyHeaders,
        body: RefundRequest,
        response: { 200: RefundResponse, 201: RefundResponse, ...ERRORS },
      },
    },
    async (req, reply) => {
      const key = req.headers[IDEMPOTENCY_HEADER];
      const r = await app.services.refunds.refund(
        adminOf(req),
        req.params.id,
        typeof key === 'string' ? key : undefined,
        req.body,
      );
      return reply.code(r.statusCode).send(r.body);
    },
  );

  app.post(
    routeOf(API.adminPaymentReprint),
    {
      config: { permission: 'payments.reprint' },
      schema: {
        tags: ['admin'],
        summary:
          'Print the receipt again on the paying kiosk (or another kiosk in your scope), marked REPRINT',
        security: BEARER,
        params: PaymentIdParams,
        body: ReprintRequest,
        response: { 201: ReprintView, ...ERRORS },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await app.services.reprints.request(adminOf(req), req.params.id, req.body.deviceId)),
  );

  app.get(
    API.reconciliation,
    {
      config: { permission: 'payments.reconcile' },
      schema: {
        tags: ['admin'],
        summary:
          'Daily reconciliation per biller and per community against the billers’ and acquirers’ statements (format=csv for a spreadsheet)',
        security: BEARER,
        querystring: ReconciliationQuery,
        produces: ['application/json', 'text/csv'],
        response: {
          200: {
            content: {
              'application/json': { schema: ReconciliationReport },
              'text/csv': { schema: Type.String() },
            },
          },
          ...ERRORS,
        },
      },
    },
    async (req, reply) => {
      const report = await app.services.reconciliation.report(adminOf(req), req.query.date, req.query.nodeId);
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="reconciliation-${report.date}.csv"`)
          .send(`\uFEFF${reportCsv(report)}`);
      }
      return reply.type('application/json').send(report);
    },
  );
};

export default paymentAdminRoutes;
