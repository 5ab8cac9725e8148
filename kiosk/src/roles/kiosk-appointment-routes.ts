import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { IdSchema, IsoTime } from '../../../protocol/schemas/common.js';
import { CodeRequest } from '../../../protocol/schemas/services.js';
import type { AppointmentDesk } from '../services/appointment-desk.js';

const strict = { additionalProperties: false } as const;
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

/**
 * Appointments at the community office (issue #6; contract in docs/kiosk-local-api.md): days and slots are
 * live from the control plane, bookings come back as signed slips the kiosk verifies and prints.
 */
export async function kioskAppointmentRoutes(app: FastifyInstance, desk: AppointmentDesk): Promise<void> {
  app.get<{ Querystring: { matterId: string } }>(
    '/kiosk/api/appointments/days',
    { schema: { querystring: Type.Object({ matterId: IdSchema('svc') }, strict) } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return desk.days(req.query.matterId);
    },
  );

  app.get<{ Querystring: { matterId: string; date: string } }>(
    '/kiosk/api/appointments/slots',
    { schema: { querystring: Type.Object({ matterId: IdSchema('svc'), date: DateString }, strict) } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return desk.slots(req.query.matterId, req.query.date);
    },
  );

  app.post<{ Body: { matterId: string; slotStart: string } }>(
    '/kiosk/api/appointments',
    { schema: { body: Type.Object({ matterId: IdSchema('svc'), slotStart: IsoTime }, strict) } },
    async (req) => desk.book(req.body.matterId, req.body.slotStart),
  );

  app.post<{ Body: { code: string } }>(
    '/kiosk/api/appointments/lookup',
    { schema: { body: CodeRequest } },
    async (req) => desk.lookup(req.body.code),
  );

  app.post<{ Body: { code: string } }>(
    '/kiosk/api/appointments/cancel',
    { schema: { body: CodeRequest } },
    async (req) => desk.cancel(req.body.code),
  );

  app.get<{ Params: { id: string } }>(
    '/kiosk/api/appointments/:id/qr.svg',
    { schema: { params: Type.Object({ id: IdSchema('apt') }) } },
    async (req, reply) => {
      const slip = desk.slip(req.params.id);
      const svg = await QRCode.toString(slip.verifyUrl, {
        type: 'svg',
        margin: 2,
        errorCorrectionLevel: 'M',
      });
      return reply.type('image/svg+xml').header('cache-control', 'no-store').send(svg);
    },
  );
}
