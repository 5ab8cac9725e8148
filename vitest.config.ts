import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/data/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // System tests spawn real processes; two cores here, so keep the pool small.
    maxWorkers: 2,
    reporters: ['default'],
    // @fastify/autoload imports the control plane's plugins and routes (.ts) itself: run it through Vite,
    // or Node's own loader gets those files (unknown extension, and a second copy of every module).
    server: { deps: { inline: ['@fastify/autoload'] } },
  },
});
