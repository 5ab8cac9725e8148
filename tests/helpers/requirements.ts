import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const inCI = process.env.CI === 'true';

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns true when the test should be skipped because a system package is missing. With CI=true a missing
 * package is a failure, never a skip: CI installs everything (see .ci/run).
 *
 *   describe.skipIf(missing('chromium', CHROMIUM))('lobby page in Chromium', ...)
 */
export function missing(
  what: string,
  available: boolean,
  installHint = `apt-get install -y ${what}`,
): boolean {
  if (available) return false;
  if (inCI)
    throw new Error(`${what} is required in CI but missing; .ci/run must install it (${installHint})`);
  process.stderr.write(`[skip] ${what} is not installed; tests that need it are skipped (${installHint})\n`);
  return true;
}

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);
export const hasSocat = (): boolean => hasCommand('socat');
export const hasOpenssl = (): boolean => hasCommand('openssl');
export const hasCjkFont = (): boolean => {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false;
  }
};

/** Chromium flags that work as root in a sandbox with no network beyond loopback. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
