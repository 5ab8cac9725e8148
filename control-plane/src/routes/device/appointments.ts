import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API, IDEMPOTENCY_HEADER } from '../../../../protocol/api.js';
import { IdempotencyKey } from '../../../../protocol/schemas/payment.js';
import {
  BookRequest,
  CodeRequest,
  DayQuery,
  DaysResponse,
  SlipResponse,
  SlotQuery,
  SlotsResponse,
} from '../../../../protocol/schemas/services.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

const IdempotencyHeaders = Type.Object({ [IDEMPOTENCY_HEADER]: Type.Optional(IdempotencyKey) });

/** Kiosk appointments: free days and slots, book (idempotent), look up and cancel by code or slip QR. */
export const deviceAppointmentRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  const appointments = () => app.services.appointments;

  app.get(
    API.deviceAppointmentDays,
    {
      schema: {
        tags: ['device'],
        security: BEARER,
        summary: "The bookable days of the office handling a matter, with free places (office's timezone)",
        querystring: DayQuery,
        response: { 200: DaysResponse, ...ERRORS },
      },
    },
    async (req) => appointments().days(deviceOf(req), req.query.matterId),
  );
  app.get(
    API.deviceAppointmentSlots,
    {
      schema: {
        tags: ['device'],
        security: BEARER,
        summary: 'The slots of a day still to come, with free places',
        querystring: SlotQuery,
        response: { 200: SlotsResponse, ...ERRORS },
      },
    },
    async (req) => appointments().slots(deviceOf(req), req.query.matterId, req.query.date),
  );
  app.post(
    API.deviceAppointments,
    {
      schema: {
        tags: ['device'],
        security: BEARER,
        summary:
          'Book a slot; Idempotency-Key header required (same key and body → the same slip, 200). Answer: the signed slip',
        headers: IdempotencyHeaders,
        body: BookRequest,
        response: { 200: SlipResponse, 201: SlipResponse, ...ERRORS },
      },
    },
    async (req, reply) => {
      const key = req.headers[IDEMPOTENCY_HEADER];
      const result = await appointments().book(
        deviceOf(req),
        typeof key === 'string' ? key : undefined,
        req.body,
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(result.statusCode).send(result.body);
    },
  );
  app.post(
    API.deviceAppointmentLookup,
    {
      preHandler: app.throttle.codeLookupByDevice,
      schema: {
        tags: ['device'],
        security: BEARER,
        summary: 'Find an appointment by its 8-digit code or the scanned slip URL; answer: the signed slip',
        body: CodeRequest,
        response: { 200: SlipResponse, ...ERRORS },
      },
    },
    async (req) => appointments().lookup(deviceOf(req), req.body.code),
  );
  app.post(
    API.deviceAppointmentCancel,
    {
      preHandler: app.throttle.codeLookupByDevice,
      schema: {
        tags: ['device'],
        security: BEARER,
        summary: 'Cancel a booked appointment still to come (by code or slip URL); answer: the signed slip',
        body: CodeRequest,
        response: { 200: SlipResponse, ...ERRORS },
      },
    },
    async (req) => appointments().cancel(deviceOf(req), req.body.code),
  );
};

export default deviceAppointmentRoutes;
