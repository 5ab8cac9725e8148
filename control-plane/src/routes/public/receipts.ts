import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { ReceiptVerifyRequest, ReceiptVerifyResponse } from '../../../../protocol/schemas/receipt.js';
import type { Verdict } from '../../services/receipts.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { ERRORS, routeOf } from '../common.js';
import { renderReceiptPage } from './receipt-page.js';

// Loose on purpose: a mistyped or truncated QR link gets the "no such receipt" page, not a JSON 400.
const ReceiptParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const ReceiptQuery = Type.Object({ s: Type.Optional(Type.String({ maxLength: 128 })) });
const Html = Type.String({ description: 'an HTML page for people' });

function toJson(v: Verdict): ReceiptVerifyResponse {
  return {
    valid: v.status === 'valid',
    reason: v.reason.en,
    ...(v.code && v.status !== 'valid' ? { code: v.code } : {}),
    ...(v.receipt ? { receipt: v.receipt } : {}),
  };
}

/** Public receipt checks: the page a receipt's QR opens, and a JSON check for a full signed receipt. */
export const receiptRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    routeOf(API.receiptPage),
    {
      schema: {
        tags: ['public'],
        summary: 'Is this receipt genuine? HTML for people; JSON with Accept: application/json',
        params: ReceiptParams,
        querystring: ReceiptQuery,
        produces: ['text/html', 'application/json'],
        response: {
          200: {
            content: { 'text/html': { schema: Html }, 'application/json': { schema: ReceiptVerifyResponse } },
          },
          404: {
            content: { 'text/html': { schema: Html }, 'application/json': { schema: ReceiptVerifyResponse } },
          },
          ...ERRORS,
        },
      },
    },
    async (req, reply) => {
      const verdict = await app.services.receipts.checkLink(req.params.id, req.query.s);
      const status = verdict.status === 'unknown' ? 404 : 200;
      reply.header('cache-control', 'no-store');
      if (prefersJson(req.headers.accept)) {
        return reply.code(status).type('application/json').send(toJson(verdict));
      }
      return reply.code(status).type('text/html; charset=utf-8').send(renderReceiptPage(verdict));
    },
  );

  app.post(
    API.receiptVerify,
    {
      schema: {
        tags: ['public'],
        summary:
          'Check a full signed receipt (as printed data or from a kiosk); a tampered one is valid:false',
        body: ReceiptVerifyRequest,
        response: { 200: ReceiptVerifyResponse, ...ERRORS },
      },
    },
    async (req) => app.services.receipts.verifyEnvelope(req.body.envelope),
  );
};

/** JSON only when the client asks for it before HTML; a phone browser sends text/html first. */
function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const json = types.indexOf('application/json');
  const html = types.indexOf('text/html');
  return json !== -1 && (html === -1 || json < html);
}

export default receiptRoutes;
