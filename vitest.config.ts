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
  },
});
