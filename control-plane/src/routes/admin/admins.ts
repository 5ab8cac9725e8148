import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  AdminListResponse,
  AdminSessionListResponse,
  AdminView,
  ChangePasswordRequest,
  CreateAdminRequest,
  CreateAdminResponse,
  ResetPasswordResponse,
} from '../../../../protocol/schemas/admin.js';
import { adminOf, adminTokenOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS, routeOf } from '../common.js';

export const adminAccountRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.post(
    API.admins,
    {
      config: { permission: 'admins.create' },
      schema: {
        tags: ['admin'],
        summary:
          'Create an admin or staff account at a node in your subtree; its first password is returned once',
        security: BEARER,
        body: CreateAdminRequest,
        response: { 201: CreateAdminResponse, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.admins.create(adminOf(req), req.body)),
  );

  app.get(
    API.admins,
    {
      config: { permission: 'admins.read' },
      schema: {
        tags: ['admin'],
        summary: 'List the accounts at your node or below',
        security: BEARER,
        response: { 200: AdminListResponse, ...ERRORS },
      },
    },
    async (req) => ({ admins: await app.services.admins.list(adminOf(req)) }),
  );

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      routeOf((id) => API.adminAction(id, action)),
      {
        config: { permission: 'admins.manage' },
        schema: {
          tags: ['admin'],
          summary:
            action === 'disable'
              ? 'Disable an account in your subtree (not your own): login refused, its sessions end'
              : 'Enable a disabled account in your subtree again',
          security: BEARER,
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: AdminView, ...ERRORS },
        },
      },
      async (req) => app.services.admins.setDisabled(adminOf(req), req.params.id, action === 'disable'),
    );
  }

  app.post(
    routeOf((id) => API.adminResetPassword(id)),
    {
      config: { permission: 'admins.manage' },
      schema: {
        tags: ['admin'],
        summary:
          'Give an account in your subtree (not your own) a temporary password, shown once; it must be changed at next login and its sessions end',
        security: BEARER,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: ResetPasswordResponse, ...ERRORS },
      },
    },
    async (req) => app.services.admins.resetPassword(adminOf(req), req.params.id),
  );

  app.post(
    API.myPassword,
    {
      config: { permission: 'account.self' },
      schema: {
        tags: ['admin'],
        summary: 'Change your own password (current one required); your other sessions end, this one stays',
        security: BEARER,
        body: ChangePasswordRequest,
        response: { 204: Type.Null(), ...ERRORS },
      },
    },
    async (req, reply) => {
      await app.services.adminAuth.changePassword(adminOf(req), adminTokenOf(req), req.body);
      return reply.code(204).send(null);
    },
  );

  // Sessions: your own (account.self) and, for an admin, those of an account in its subtree (admins.manage).
  const Sid = Type.String({ minLength: 1, maxLength: 64 });
  const Id = Type.String({ minLength: 1, maxLength: 64 });
  const sessionSchema = (summary: string, params?: ReturnType<typeof Type.Object>) => ({
    tags: ['admin'],
    summary,
    security: BEARER,
    ...(params ? { params } : {}),
  });

  app.get(
    API.mySessions,
    {
      config: { permission: 'account.self' },
      schema: {
        ...sessionSchema('Your live sessions; `current` marks the one making this request'),
        response: { 200: AdminSessionListResponse, ...ERRORS },
      },
    },
    async (req) => ({
      sessions: await app.services.adminAuth.sessions(adminOf(req).admin.id, adminTokenOf(req)),
    }),
  );

  app.post(
    API.mySessionRevoke('SID').replace('SID', ':sid'),
    {
      config: { permission: 'account.self' },
      schema: {
        ...sessionSchema('End one of your sessions (on every instance)'),
        params: Type.Object({ sid: Sid }),
        response: { 204: Type.Null(), ...ERRORS },
      },
    },
    async (req, reply) => {
      await app.services.adminAuth.revokeSession(adminOf(req).admin.id, req.params.sid);
      return reply.code(204).send(null);
    },
  );

  app.get(
    routeOf((id) => API.adminSessions(id)),
    {
      config: { permission: 'admins.manage' },
      schema: {
        ...sessionSchema('The live sessions of an account in your subtree'),
        params: Type.Object({ id: Id }),
        response: { 200: AdminSessionListResponse, ...ERRORS },
      },
    },
    async (req) => {
      const target = await app.services.admins.manageable(adminOf(req), req.params.id);
      return { sessions: await app.services.adminAuth.sessions(target.id, adminTokenOf(req)) };
    },
  );

  app.post(
    API.adminSessionRevoke('ID', 'SID').replace('ID', ':id').replace('SID', ':sid'),
    {
      config: { permission: 'admins.manage' },
      schema: {
        ...sessionSchema('End one session of an account in your subtree (on every instance)'),
        params: Type.Object({ id: Id, sid: Sid }),
        response: { 204: Type.Null(), ...ERRORS },
      },
    },
    async (req, reply) => {
      const target = await app.services.admins.manageable(adminOf(req), req.params.id);
      await app.services.adminAuth.revokeSession(target.id, req.params.sid);
      return reply.code(204).send(null);
    },
  );
};

export default adminAccountRoutes;
