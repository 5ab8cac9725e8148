import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import {
  ChallengeResponse,
  DeviceChallengeRequest,
  DeviceSessionRequest,
  DeviceSessionResponse,
} from '../../../../protocol/schemas/enrollment.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { ERRORS } from '../common.js';

export const deviceSessionRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.post(
    API.deviceChallenge,
    {
      config: { public: true },
      schema: {
        tags: ['device'],
        summary: 'Get a nonce for a device session (sign sessionSigningInput with the device key)',
        body: DeviceChallengeRequest,
        response: { 200: ChallengeResponse, ...ERRORS },
      },
    },
    async (req) => app.services.deviceAuth.challenge(req.body.deviceId),
  );

  app.post(
    API.deviceSession,
    {
      config: { public: true },
      schema: {
        tags: ['device'],
        summary: 'Trade a signed nonce for a short-lived bearer token for the device routes',
        body: DeviceSessionRequest,
        response: { 201: DeviceSessionResponse, ...ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await app.services.deviceAuth.createSession(req.body)),
  );
};

export default deviceSessionRoutes;
