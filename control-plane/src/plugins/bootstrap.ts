import fp from 'fastify-plugin';
import { ensureFirstStart, firstStartLine } from '../services/first-start.js';
import { ensureServiceSeed } from '../services/public-services/seed/seed-catalogue.js';

export interface BootstrapPluginOptions {
  /** Where the one-time password line goes (stdout for the CLI); never the log. */
  announce?: (line: string) => void;
}

/**
 * First start: the root node and the first admin, whose password is announced once and stored hashed, and
 * the seeded service catalogue.
 */
export const bootstrapPlugin = fp<BootstrapPluginOptions>(
  async (fastify, opts) => {
    const result = await ensureFirstStart(fastify.repo, fastify.config.cityName, fastify.now);
    if (result.createdRoot)
      fastify.log.info({ city: fastify.config.cityName }, 'first start: created the root node');
    const seeded = await ensureServiceSeed(fastify.repo, fastify.now);
    if (seeded > 0) fastify.log.info({ matters: seeded }, 'first start: seeded the service catalogue');
    if (result.adminPassword !== undefined) {
      const announce = opts.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
      announce(firstStartLine(result.adminPassword));
    }
  },
  { name: 'linli-bootstrap', dependencies: ['linli-storage', 'linli-keys'] },
);

export default bootstrapPlugin;
