import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../processes.js';

/**
 * The `linli` CLI bundled into one ESM file (npm packages stay external) for the chaos harness: a restart
 * then costs about half as much as through tsx (no per-file TypeScript transform), and a chaos run is
 * mostly restarts. It lives two levels below the repository (test-results/chaos-bin/) because a few
 * modules find files relative to their own URL (e.g. ../../package.json for the version).
 */
export async function buildChaosBin(): Promise<string> {
  const dir = join(REPO_ROOT, 'test-results', 'chaos-bin');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `linli-${process.pid}.mjs`);
  await build({
    entryPoints: [join(REPO_ROOT, 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}
