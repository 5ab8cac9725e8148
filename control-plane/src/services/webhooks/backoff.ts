/**
 * Wait before attempt `attempts + 1`: exponential (base × 2^(attempts−1)), capped, with jitter that keeps
 * between 50 % and 100 % of it, so a receiver that was down for everyone is not hit by every retry at once
 * when it comes back, while the wait never collapses to nothing.
 */
export function retryDelayMs(
  attempts: number,
  o: { backoffBaseMs: number; backoffMaxMs: number },
  random: () => number = Math.random,
): number {
  const exp = o.backoffBaseMs * 2 ** Math.max(0, attempts - 1);
  const capped = Math.min(o.backoffMaxMs, exp);
  return Math.round(capped * (0.5 + random() * 0.5));
}
