import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import type { SlipVerdict } from '../../services/public-services/appointment-admin.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { ERRORS, routeOf } from '../common.js';
import { renderAppointmentPage } from './appointment-page.js';

// Loose on purpose, as for receipts: a mistyped or truncated QR link gets the "no such appointment" page.
const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Query = Type.Object({ s: Type.Optional(Type.String({ maxLength: 128 })) });
const Html = Type.String({ description: 'an HTML page for people' });
const Json = Type.Object({
  valid: Type.Boolean(),
  status: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('unknown')]),
  reason: Type.String(),
  code: Type.Optional(Type.String()),
  appointment: Type.Optional(Type.Unknown()),
});

const toJson = (v: SlipVerdict) => ({
  valid: v.status === 'valid',
  status: v.status,
  reason: v.reason.en,
  ...(v.code && v.status !== 'valid' ? { code: v.code } : {}),
  ...(v.slip ? { appointment: v.slip } : {}),
});

/** The page an appointment slip's QR opens (/a/:id?s=tag): is it genuine, and what is booked. */
export const appointmentPageRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.get(
    routeOf(API.appointmentPage),
    {
      schema: {
        tags: ['public'],
        summary:
          'Is this appointment slip genuine, and its status? HTML for people; JSON with Accept: application/json',
        params: Params,
        querystring: Query,
        produces: ['text/html', 'application/json'],
        response: {
          200: { content: { 'text/html': { schema: Html }, 'application/json': { schema: Json } } },
          404: { content: { 'text/html': { schema: Html }, 'application/json': { schema: Json } } },
          ...ERRORS,
        },
      },
    },
    async (req, reply) => {
      const verdict = await app.services.appointmentAdmin.checkLink(req.params.id, req.query.s);
      const status = verdict.status === 'unknown' ? 404 : 200;
      reply.header('cache-control', 'no-store');
      const accept = (req.headers.accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
      const json = accept.indexOf('application/json');
      const html = accept.indexOf('text/html');
      if (json !== -1 && (html === -1 || json < html)) {
        return reply.code(status).type('application/json').send(toJson(verdict));
      }
      return reply.code(status).type('text/html; charset=utf-8').send(renderAppointmentPage(verdict));
    },
  );
};

export default appointmentPageRoutes;
