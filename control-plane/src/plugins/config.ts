import fp from 'fastify-plugin';
import type { ControlPlaneConfig } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: ControlPlaneConfig;
    /** The clock every service reads; tests replace it to move time. */
    now: () => number;
  }
}

export interface ConfigPluginOptions {
  config: ControlPlaneConfig;
  now?: () => number;
}

export const configPlugin = fp<ConfigPluginOptions>(
  async (fastify, opts) => {
    fastify.decorate('config', opts.config);
    fastify.decorate('now', opts.now ?? Date.now);
  },
  { name: 'linli-config' },
);

export default configPlugin;
