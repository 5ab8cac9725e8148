import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  ApproveNoticeRequest,
  AuditQuery,
  AuditResponse,
  CreateNoticeRequest,
  EmergencyRequest,
  NoticeActionResponse,
  NoticeIdParams,
  NoticeListQuery,
  NoticeListResponse,
  NoticeView,
  ReasonRequest,
  UpdateNoticeRequest,
} from '../../../../protocol/schemas/notice-admin.js';
import { NoticePlaysResponse, PlaysQuery } from '../../../../protocol/schemas/signage-device.js';
import { adminOf } from '../../plugins/auth.js';
import type { Permission } from '../../services/permissions.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, EmptyBody, ERRORS } from '../common.js';

const byId = `${API.notices}/:id`;

/**
 * Notices: draft, edit, submit, approve, reject, withdraw, put up an emergency (district-or-higher), renew it,
 * list, read, audit and proof of play. Every state change is audited; see NoticeService for the rules.
 */
export const noticeAdminRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  const schema = <T extends object>(permission: Permission, summary: string, extra: T) => ({
    config: { permission },
    schema: { tags: ['admin'], summary, security: BEARER, ...extra },
  });
  const action = { 200: NoticeActionResponse, ...ERRORS };

  app.post(
    API.notices,
    schema(
      'notices.draft',
      'Draft a notice (publish: true lets an admin submit and approve it in one step; emergencies: district-or-higher)',
      { body: CreateNoticeRequest, response: { 201: NoticeActionResponse, ...ERRORS } },
    ),
    async (req, reply) => reply.code(201).send(await app.services.notices.create(adminOf(req), req.body)),
  );

  app.get(
    API.notices,
    schema(
      'notices.read',
      'Notices in your scope (every target within your subtree), optionally by status or node',
      {
        querystring: NoticeListQuery,
        response: { 200: NoticeListResponse, ...ERRORS },
      },
    ),
    async (req) => ({ notices: await app.services.notices.list(adminOf(req), req.query) }),
  );

  app.get(
    byId,
    schema(
      'notices.read',
      'One notice: its latest revision, the approved version devices play, emergency state',
      {
        params: NoticeIdParams,
        response: { 200: NoticeView, ...ERRORS },
      },
    ),
    async (req) => app.services.notices.get(adminOf(req), req.params.id),
  );

  app.put(
    byId,
    schema(
      'notices.draft',
      'Edit (with the revision you saw); an approved notice goes back for approval, its approved version keeps playing',
      {
        params: NoticeIdParams,
        body: UpdateNoticeRequest,
        response: action,
      },
    ),
    async (req) => app.services.notices.update(adminOf(req), req.params.id, req.body),
  );

  app.post(
    `${byId}/submit`,
    schema('notices.draft', 'Submit a draft for approval', {
      params: NoticeIdParams,
      body: EmptyBody,
      response: action,
    }),
    async (req) => app.services.notices.submit(adminOf(req), req.params.id),
  );
  app.post(
    `${byId}/approve`,
    schema('notices.approve', 'Approve the submitted revision: it reaches screens now (admins only)', {
      params: NoticeIdParams,
      body: ApproveNoticeRequest,
      response: action,
    }),
    async (req) => app.services.notices.approve(adminOf(req), req.params.id, req.body),
  );
  app.post(
    `${byId}/reject`,
    schema('notices.approve', 'Reject the submitted revision with a reason (admins only)', {
      params: NoticeIdParams,
      body: ReasonRequest,
      response: action,
    }),
    async (req) => app.services.notices.reject(adminOf(req), req.params.id, req.body),
  );
  app.post(
    `${byId}/withdraw`,
    schema(
      'notices.withdraw',
      'Take a notice off every screen now; a live emergency is cancelled at once (admins only)',
      {
        params: NoticeIdParams,
        body: Type.Union([ReasonRequest, Type.Null()]),
        response: action,
      },
    ),
    async (req) => app.services.notices.withdraw(adminOf(req), req.params.id, req.body ?? {}),
  );
  app.post(
    `${byId}/emergency`,
    schema(
      'notices.emergency',
      'Put an emergency up on every targeted screen now, bypassing approval (district-or-higher admins; audited)',
      {
        params: NoticeIdParams,
        body: Type.Union([EmergencyRequest, Type.Null()]),
        response: action,
      },
    ),
    async (req) => app.services.notices.emergency(adminOf(req), req.params.id, req.body ?? {}),
  );
  app.post(
    `${byId}/renew`,
    schema(
      'notices.emergency',
      'Keep a live emergency up for another TTL; without renewal devices drop it (dead-man switch)',
      {
        params: NoticeIdParams,
        body: Type.Union([EmergencyRequest, Type.Null()]),
        response: action,
      },
    ),
    async (req) => app.services.notices.renew(adminOf(req), req.params.id, req.body ?? {}),
  );

  app.get(
    API.noticeAudit,
    schema('notices.read', 'The moderation audit log of notices in your scope, newest first', {
      querystring: AuditQuery,
      response: { 200: AuditResponse, ...ERRORS },
    }),
    async (req) => ({ events: await app.services.notices.audit(adminOf(req), req.query) }),
  );

  app.get(
    `${byId}/plays`,
    schema('notices.plays', 'Proof of play: which screens showed this notice, and when', {
      params: NoticeIdParams,
      querystring: PlaysQuery,
      response: { 200: NoticePlaysResponse, ...ERRORS },
    }),
    async (req) => app.services.plays.forNotice(adminOf(req), req.params.id, req.query),
  );
};

export default noticeAdminRoutes;
