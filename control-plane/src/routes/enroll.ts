import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../protocol/api.js';
import { ChallengeResponse, EnrollRequest, EnrollResponse } from '../../../protocol/schemas/enrollment.js';
import type { TypeBoxProvider } from '../type-provider.js';
import { EmptyBody, ERRORS } from './common.js';

export const enrollRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();
  app.addHook('onRequest', app.throttle.enrollByIp);

  app.post(
    API.enrollChallenge,
    {
      schema: {
        tags: ['enrollment'],
        summary: 'Get a single-use nonce (5 minutes) for the enrollment signature',
        body: EmptyBody,
        response: { 200: ChallengeResponse, ...ERRORS },
      },
    },
    async () => app.services.enrollment.challenge(),
  );

  app.post(
    API.enroll,
    {
      schema: {
        tags: ['enrollment'],
        summary: 'Enroll a device with a token, its public key and its signature over the nonce',
        body: EnrollRequest,
        response: { 201: EnrollResponse, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.enrollment.enroll(req.body)),
  );
};

export default enrollRoutes;
