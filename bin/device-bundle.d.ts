/** Types for bin/device-bundle.js (plain JS, it runs before tsx); used by benches and tests. */
export function bundleStaleness(dir?: string): string | undefined;
export function deviceBundle(
  command: string | undefined,
  env?: NodeJS.ProcessEnv,
  dir?: string,
): string | undefined;
