import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DeviceRuntime, DeviceRuntime as RuntimeSchema } from '../../protocol/schemas/channel.js';
import { isValid } from '../../protocol/validate.js';

/** `git describe` runs once at start-up; a slow or missing git must not hold the runtime up. */
const GIT_TIMEOUT_MS = 1500;

/**
 * The checkout this code runs from: the nearest folder above with Linli's package.json. The sources
 * (kiosk/src/) and the device bundle (dist/device/, chunks below it) both sit inside it.
 */
function checkoutRoot(
  from = dirname(fileURLToPath(import.meta.url)),
): { dir: string; version: string } | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'linli' && typeof pkg.version === 'string') return { dir, version: pkg.version };
    } catch {
      // No package.json here (or not ours): go up.
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function gitDescribe(cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['describe', '--tags', '--always', '--dirty'],
      { cwd, timeout: GIT_TIMEOUT_MS, windowsHide: true },
      (err, stdout) => resolve(err ? undefined : stdout.trim() || undefined),
    );
  });
}

/**
 * What the device tells the control plane it runs (`auth.have.runtime`, shown on the console's device page):
 * the package version, `git describe` of the checkout when git and a .git are there, Node's version and the
 * platform. Whatever does not fit the wire schema is left out rather than sent and refused.
 */
export async function describeRuntime(opts: { git?: boolean } = {}): Promise<DeviceRuntime | undefined> {
  const root = checkoutRoot();
  if (!root) return undefined;
  const git = opts.git === false ? undefined : await gitDescribe(root.dir);
  const runtime: DeviceRuntime = {
    version: root.version,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  if (git && isValid(RuntimeSchema, { ...runtime, git })) runtime.git = git;
  return isValid(RuntimeSchema, runtime) ? runtime : undefined;
}
