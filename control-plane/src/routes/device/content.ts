import type { FastifyPluginAsync } from 'fastify';
import { API } from '../../../../protocol/api.js';
import { KeysetResponse } from '../../../../protocol/schemas/keyset.js';
import type { TypeBoxProvider } from '../../type-provider.js';
import { BEARER, ERRORS } from '../common.js';

/**
 * What every device role reads: the keyset (transaction and emergency keys, signed by the key the TUF root
 * certifies). Notices come through the device's own TUF repository (routes/device/tuf.ts).
 */
export const deviceContentRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxProvider>();

  app.get(
    API.deviceKeyset,
    {
      schema: {
        tags: ['device'],
        summary: 'The current keyset, signed by the keyset key that the pinned TUF root certifies',
        security: BEARER,
        response: { 200: KeysetResponse, ...ERRORS },
      },
    },
    async () => ({ keyset: app.keys.keyset }),
  );
};

export default deviceContentRoutes;
