import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { CommandResultAck } from '../../../../protocol/schemas/commands.js';
import { SignedCommandResult } from '../../../../protocol/schemas/fleet.js';
import { deviceOf } from '../../plugins/auth.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

/** A device's signed answer to a remote command. */
export const deviceCommandRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.post(
    API.deviceCommandResult,
    {
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['device'],
        summary: "Answer a command with a result signed by the device's key (a re-post changes nothing)",
        security: BEARER,
        body: SignedCommandResult,
        response: { 200: CommandResultAck, ...ERRORS },
      },
    },
    async (req) => app.services.commands.receiveResult(deviceOf(req), req.body),
  );
};

export default deviceCommandRoutes;
