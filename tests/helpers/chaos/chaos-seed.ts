/**
 * The chaos run's seed: drives every random choice of the harness (which kiosks pay, how, when the kill
 * comes, proxy and simulator faults). Printed at start and in every failure, and settable, so a failing run
 * can be replayed with the same choices (process timing still varies, so a replay is close, not identical).
 */
export const CHAOS_SEED_VAR = 'LINLI_CHAOS_SEED';

/** LINLI_CHAOS_SEED when set (an integer 0…2^32-1), else a fresh one. */
export function chaosSeed(env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): number {
  const raw = env[CHAOS_SEED_VAR];
  if (raw === undefined || raw === '') return now() % 1_000_000;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new Error(`${CHAOS_SEED_VAR} must be an integer from 0 to 4294967295, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** How to replay: `chaos seed 1234 (replay: LINLI_CHAOS_SEED=1234 npx vitest run tests/system/payments-chaos)`. */
export function seedNote(seed: number): string {
  return `chaos seed ${seed} (replay: ${CHAOS_SEED_VAR}=${seed} npx vitest run tests/system/payments-chaos)`;
}

/** Runs fn; any failure (assertion or crash) is rethrown with the seed note in its message. */
export async function withSeed<T>(seed: number, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Error) {
      if (!e.message.includes(seedNote(seed))) e.message = `${e.message}\n${seedNote(seed)}`;
      throw e;
    }
    throw new Error(`${String(e)}\n${seedNote(seed)}`);
  }
}
