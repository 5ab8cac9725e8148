import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../processes.js';

const CP_SRC = join(REPO_ROOT, 'control-plane', 'src');

/** Every file @fastify/autoload would load from a folder (what app.ts's ignorePattern leaves). */
function autoloaded(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !/(^|\/)common\.ts$/.test(f))
    .map((f) => join(dir, f));
}

/**
 * The `linli` CLI bundled into ESM (npm packages stay external) for the chaos harness: a restart then costs
 * about half as much as through tsx (no per-file TypeScript transform), and a chaos run is mostly restarts.
 * The control plane autoloads `plugins/` and `routes/` beside its app module, so those files are entry
 * points of their own at the same relative paths, and shared code goes into chunks at the top of the
 * output folder, where app.ts's code then lives too (one copy of every module). The folder is two levels
 * below the repository (test-results/chaos-bin-<pid>/) because a few modules find files relative to their
 * own URL (e.g. ../../package.json for the version).
 */
export async function buildChaosBin(): Promise<string> {
  const dir = join(REPO_ROOT, 'test-results', `chaos-bin-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entryPoints: Record<string, string> = { linli: join(REPO_ROOT, 'cli', 'main.ts') };
  for (const folder of ['plugins', 'routes']) {
    for (const file of autoloaded(join(CP_SRC, folder))) {
      entryPoints[relative(CP_SRC, file).replace(/\.ts$/, '')] = file;
    }
  }
  await build({
    entryPoints,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  return join(dir, 'linli.mjs');
}
