import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { longFirst } from './tests/helpers/long-first.js';

/** Vitest's order, except that the minutes-long files (tests/helpers/long-first.ts) start first. */
class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return longFirst(await super.sort(files), this.ctx.config.root);
  }
}

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/data/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // System tests spawn real processes; two cores here, so keep the pool small.
    maxWorkers: 2,
    // The chaos test (~450 s) starts first on one worker while the other works through the rest.
    sequence: { sequencer: LongFirstSequencer },
    reporters: ['default'],
    // @fastify/autoload imports the control plane's plugins and routes (.ts) itself: run it through Vite,
    // or Node's own loader gets those files (unknown extension, and a second copy of every module).
    server: { deps: { inline: ['@fastify/autoload'] } },
  },
});
