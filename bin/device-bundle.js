// Decides whether `linli device` / `linli enroll` run the prebuilt device bundle (npm run build:device,
// written by cli/build/device-bundle.ts) or the TypeScript sources through tsx. Plain JS: it runs before tsx.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/device/', import.meta.url));
const COMMANDS = new Set(['device', 'enroll']);

/**
 * Why the bundle in `dir` cannot stand for the sources, or undefined when it can. Without sources next to it
 * (a release artifact) the bundle is all there is; with sources, any file it was built from that changed or
 * went away since the build makes it stale (a stat per file, about 2 ms).
 */
export function bundleStaleness(dir = DIST) {
  let info;
  try {
    info = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'));
  } catch {
    return 'missing';
  }
  if (!existsSync(join(dir, info.entry))) return 'missing';
  const root = resolve(dir, info.root);
  if (!existsSync(join(root, 'cli', 'device-main.ts'))) return undefined;
  for (const f of info.inputs) {
    let mtime;
    try {
      mtime = statSync(join(root, f)).mtimeMs;
    } catch {
      return `${f} was removed after the device bundle was built`;
    }
    if (mtime > info.builtAt) return `${f} changed after the device bundle was built`;
  }
  return undefined;
}

/**
 * The bundle's URL when this command should run from it. LINLI_DEVICE_FROM=sources always uses tsx;
 * =bundle insists on the bundle (exits if it is missing or stale, so a benchmark never measures the other);
 * unset (auto) uses the bundle when it is up to date and says on stderr why not when it exists but is stale.
 */
export function deviceBundle(command, env = process.env, dir = DIST) {
  const from = env.LINLI_DEVICE_FROM ?? 'auto';
  if (!COMMANDS.has(command) || from === 'sources') return undefined;
  const why = bundleStaleness(dir);
  if (why === undefined) return pathToFileURL(join(dir, 'linli-device.mjs')).href;
  if (from === 'bundle') {
    process.stderr.write(
      `linli: LINLI_ERR_CONFIG_INVALID: LINLI_DEVICE_FROM=bundle but the device bundle is ${why === 'missing' ? 'missing' : `stale (${why})`}; run \`npm run build:device\`\n`,
    );
    process.exit(1);
  }
  if (why !== 'missing') {
    process.stderr.write(
      `linli: ${why}; running from the TypeScript sources (tsx) instead. \`npm run build:device\` rebuilds it.\n`,
    );
  }
  return undefined;
}
