/** The answer of one health check: ok, or the plain reasons it is not. */
export interface HealthCheck {
  ok: boolean;
  problems: string[];
}

/** One loop of the runtime that must keep turning: says what is wrong with it now, or undefined. */
export interface LoopProbe {
  readonly name: string;
  check(now: number): string | undefined;
}

/**
 * The runtime's loops, for the systemd watchdog: the device is healthy while every registered loop is.
 * "Healthy" never means "online": a kiosk without network keeps showing its verified content and must not
 * be restarted for that; a loop that stopped turning (a promise that never settles, a timer never re-armed)
 * is what a restart fixes. Another loop (the config reconcile loop, issue 12) registers its own probe.
 */
export class LoopHealth {
  readonly #probes = new Set<LoopProbe>();

  register(probe: LoopProbe): () => void {
    this.#probes.add(probe);
    return () => this.#probes.delete(probe);
  }

  check(now = Date.now()): HealthCheck {
    const problems: string[] = [];
    for (const p of this.#probes) {
      const problem = p.check(now);
      if (problem) problems.push(`${p.name}: ${problem}`);
    }
    return { ok: problems.length === 0, problems };
  }
}

/** A cycle may run this long (a slow download of large media over a poor link) before it counts as stuck. */
export const CYCLE_STUCK_MS = 15 * 60_000;

/**
 * The content sync loop: it must finish a cycle (verified, refused or failed: all count) at least every three
 * poll intervals plus a minute, and no cycle may run longer than CYCLE_STUCK_MS.
 */
export function pollingLoopProbe(
  name: string,
  loop: { readonly lastCycleAt: number | undefined; readonly cycleStartedAt: number | undefined },
  o: { startedAt: number; pollMs: () => number; stuckMs?: number },
): LoopProbe {
  return {
    name,
    check(now) {
      const stuckMs = o.stuckMs ?? CYCLE_STUCK_MS;
      if (loop.cycleStartedAt !== undefined && now - loop.cycleStartedAt > stuckMs) {
        return `a cycle has been running for ${Math.round((now - loop.cycleStartedAt) / 1000)} s`;
      }
      const since = loop.lastCycleAt ?? o.startedAt;
      const allowed = 3 * o.pollMs() + 60_000;
      if (loop.cycleStartedAt === undefined && now - since > allowed) {
        return `no cycle for ${Math.round((now - since) / 1000)} s (expected one every ${Math.round(o.pollMs() / 1000)} s)`;
      }
      return undefined;
    },
  };
}
