import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  AdminCancelRequest,
  AppointmentIdParams,
  AppointmentListQuery,
  AppointmentListResponse,
  AppointmentView,
} from '../../../../protocol/schemas/services-admin.js';
import { adminOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

/** Office staff: the day's appointments at an office of their branch, and cancelling one. */
export const appointmentAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.get(
    API.adminAppointments,
    {
      config: { permission: 'appointments.read' },
      schema: {
        tags: ['admin'],
        security: BEARER,
        summary: "An office's appointments on a day (its timezone), by slot and queue number",
        querystring: AppointmentListQuery,
        response: { 200: AppointmentListResponse, ...ERRORS },
      },
    },
    async (req) => app.services.appointmentAdmin.list(adminOf(req), req.query),
  );
  app.post(
    routeOf(API.adminAppointmentCancel),
    {
      config: { permission: 'appointments.cancel' },
      schema: {
        tags: ['admin'],
        security: BEARER,
        summary: 'Cancel a booked appointment (audited with the reason)',
        params: AppointmentIdParams,
        body: AdminCancelRequest,
        response: { 200: AppointmentView, ...ERRORS },
      },
    },
    async (req) => app.services.appointmentAdmin.cancel(adminOf(req), req.params.id, req.body?.reason),
  );
};

export default appointmentAdminRoutes;
