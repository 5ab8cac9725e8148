import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { LoginRequest, LoginResponse } from '../../../../protocol/schemas/admin.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { ERRORS } from '../common.js';

export const loginRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxProvider>().post(
    API.login,
    {
      config: { public: true },
      onRequest: app.throttle.loginByIp,
      preHandler: app.throttle.loginByAccount,
      schema: {
        tags: ['admin'],
        summary: 'Log in; returns a bearer session token',
        body: LoginRequest,
        response: { 200: LoginResponse, ...ERRORS },
      },
    },
    async (req) => app.services.adminAuth.login(req.body),
  );
};

export default loginRoutes;
