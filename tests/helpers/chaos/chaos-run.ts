import { API } from '../../../protocol/api.js';
import type { ReconciliationReport } from '../../../protocol/schemas/reconciliation.js';
import { type ChaosInvariants, checkInvariants, type SeenEntry } from './chaos-checks.js';
import { chaosSeed, seedNote } from './chaos-seed.js';
import { ChaosWorld, type KioskHandle } from './chaos-world.js';

export interface ChaosOptions {
  /** Stop once this many payments were in flight on a process when it was killed. */
  points: number;
  kiosks?: number;
  /** Default: LINLI_CHAOS_SEED, else a fresh seed (chaos-seed.ts); printed through log at start. */
  seed?: number;
  /** Random faults in the simulated biller, acquirer, wallet and on the network path (default on). */
  faults?: boolean;
  log?: (line: string) => void;
  keepData?: boolean;
}

export interface ChaosResult {
  crashPoints: number;
  kills: { controlPlane: number; kiosk: number };
  rounds: number;
  /** Payments attempted by the residents (some refused, e.g. by a biller outage at lookup). */
  attempts: number;
  proxyFaults: number;
  /** Where the interrupted payments stood in the kiosk journal when the kill came. */
  crashSteps: Record<string, number>;
  invariants: ChaosInvariants;
  reconciliation: { balanced: boolean; mismatches: number; capturedFen: number; postedFen: number };
  startupMs: { controlPlane: Stats; kiosk: Stats };
  durationMs: number;
  seed: number;
}

interface Stats {
  p50: number;
  max: number;
  n: number;
}

const BILLERS = ['water', 'electricity', 'gas', 'property'] as const;
const BASE: Record<(typeof BILLERS)[number], string> = {
  water: '5',
  electricity: '6',
  gas: '7',
  property: '8',
};

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: Math.round(s[Math.floor(s.length / 2)] ?? 0), max: Math.round(s.at(-1) ?? 0), n: s.length };
}

async function json<T>(url: string, init?: RequestInit, timeoutMs = 20_000): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...init?.headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok)
    throw Object.assign(new Error(body.error?.message ?? `HTTP ${res.status}`), { code: body.error?.code });
  return body;
}

/**
 * The chaos run: rounds in which every kiosk starts a payment (terminal or QR, with random terminal
 * behaviours and a simulated payer for QR codes), then at a random moment the control plane or some kiosks
 * are killed with SIGKILL, restarted, and left to recover. Between kiosks and control plane a fault proxy
 * drops, cuts and stalls responses; the simulated biller, acquirer and wallet fail at random too. At the end
 * every money invariant is checked against the control plane's database and the kiosks' journals.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const seed = opts.seed ?? chaosSeed();
  const rng = mulberry32(seed);
  const log = opts.log ?? (() => {});
  log(seedNote(seed));
  const t0 = performance.now();
  const kioskCount = opts.kiosks ?? 6;
  const world = new ChaosWorld({ kiosks: kioskCount, faults: opts.faults ?? true, seed, log });
  // Enough fresh bills for every payment the run can start (a bill is paid once).
  const perBiller = Math.ceil((opts.points * 3 + 50) / BILLERS.length);
  const seen = new Map<string, SeenEntry>();
  const result = {
    crashPoints: 0,
    kills: { controlPlane: 0, kiosk: 0 },
    rounds: 0,
    attempts: 0,
    crashSteps: {} as Record<string, number>,
  };
  let account = 0;
  const nextAccount = () => {
    const biller = BILLERS[account % BILLERS.length]!;
    const n = Math.floor(account / BILLERS.length);
    account++;
    return { billerId: biller, account: `${BASE[biller]}${String(n).padStart(9, '0')}` };
  };
  const snapshot = () => {
    for (const k of world.kiosks) {
      for (const e of world.journal(k).entries) {
        seen.set(e.key, {
          kiosk: k.index,
          key: e.key,
          step: e.step,
          method: e.request.method,
          ...(e.paymentId ? { paymentId: e.paymentId } : {}),
        });
      }
    }
  };
  let avgPayMs = 600;
  const timing = { restart: 0, flights: 0, quiesce: 0 };

  /** A resident looks a bill up at a kiosk (before the payment starts, so kills land in the payment). */
  const lookUp = async (k: KioskHandle): Promise<string | undefined> => {
    try {
      const { bills } = await json<{ bills: { id: string }[] }>(`${k.url}/kiosk/api/bills`, {
        method: 'POST',
        body: JSON.stringify(nextAccount()),
      });
      return bills[0]?.id;
    } catch {
      return undefined;
    }
  };

  /** The resident pays the bill (terminal or QR; for QR a simulated payer scans and confirms). */
  const pay = async (k: KioskHandle, billId: string): Promise<void> => {
    const t = performance.now();
    result.attempts++;
    const qr = rng() < 0.4;
    const r = rng();
    if (!qr) {
      const behaviour = r < 0.08 ? 'decline' : r < 0.16 ? 'lost-response' : r < 0.17 ? 'timeout' : 'approve';
      await json(`${k.url}/kiosk/api/sim/terminal`, { method: 'POST', body: JSON.stringify({ behaviour }) });
    }
    const view = await json<{ key: string; status: string; qr?: { codeUrl: string } }>(
      `${k.url}/kiosk/api/payments`,
      { method: 'POST', body: JSON.stringify({ billId, method: qr ? 'qr' : 'terminal', wait: !qr }) },
      30_000,
    );
    if (qr && view.status === 'awaiting_scan' && view.qr) {
      if (r < 0.85) {
        await sleep(rng() * 200);
        for (let i = 0; i < 5; i++) {
          try {
            // A JSON content type needs a JSON body (an empty one is refused with 400).
            await json(`${view.qr.codeUrl}/confirm`, { method: 'POST', body: '{}' });
            break;
          } catch {
            await sleep(200);
          }
        }
      } else if (r < 0.96) {
        await json(`${k.url}/kiosk/api/payments/${view.key}/cancel`, { method: 'POST' }).catch(
          () => undefined,
        );
      }
      // else: the resident walks away; the code expires and the kiosk closes the order.
      let v = view;
      for (let i = 0; i < 100 && !['paid', 'canceled', 'voided', 'failed'].includes(v.status); i++) {
        v = await json(`${k.url}/kiosk/api/payments/${view.key}?waitMs=1000`, undefined, 5_000);
      }
    }
    avgPayMs = avgPayMs * 0.9 + (performance.now() - t) * 0.1;
  };

  const quiesce = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (const k of world.kiosks) {
      const started = Date.now();
      let reported = false;
      for (;;) {
        if (!reported && process.env.LINLI_CHAOS_DEBUG && Date.now() - started > 3_000) {
          reported = true;
          const open = world
            .journal(k)
            .entries.filter(
              (e) => !['closed', 'canceled', 'declined', 'voided', 'rejected'].includes(e.step),
            );
          log(
            `slow recovery on kiosk ${k.index}: ${JSON.stringify(open.map((e) => ({ step: e.step, method: e.request.method, error: (e as { error?: unknown }).error })))}`,
          );
        }
        try {
          const s = await json<{ busy: boolean }>(`${k.url}/kiosk/api/session`, undefined, 3_000);
          if (!s.busy) break;
        } catch {
          // restarting
        }
        if (Date.now() > deadline) {
          log(
            `kiosk ${k.index} still busy after ${timeoutMs} ms; journal: ${JSON.stringify(world.journal(k).entries.filter((e) => !['closed', 'canceled', 'declined', 'voided', 'rejected'].includes(e.step)))}`,
          );
          return false;
        }
        await sleep(50);
      }
    }
    return true;
  };

  try {
    await world.setUp(perBiller);
    world.enableProxyFaults(rng);
    while (result.crashPoints < opts.points) {
      result.rounds++;
      const inFlight = new Set<number>();
      const bills = await Promise.all(world.kiosks.map((k) => lookUp(k)));
      const flights = world.kiosks.map((k, i) => {
        const billId = bills[i];
        if (!billId) return Promise.resolve();
        inFlight.add(k.index);
        return pay(k, billId)
          .catch(() => undefined)
          .finally(() => inFlight.delete(k.index));
      });
      // Uniform over a typical payment's duration, so kills land at every step of the lifecycle.
      await sleep(rng() * avgPayMs);
      const killCp = rng() < 0.6;
      const victims = killCp ? [] : world.kiosks.filter(() => rng() < 0.4);
      if (!killCp && victims.length === 0)
        victims.push(world.kiosks[Math.floor(rng() * world.kiosks.length)]!);
      const hit = killCp ? [...inFlight] : victims.map((v) => v.index).filter((i) => inFlight.has(i));
      if (killCp) {
        await world.cp!.kill9();
        result.kills.controlPlane++;
      } else {
        await Promise.all(victims.map((v) => v.proc!.kill9()));
        result.kills.kiosk += victims.length;
      }
      for (const i of hit) {
        const open = world
          .journal(world.kiosks[i]!)
          .entries.filter((e) => !['closed', 'canceled', 'declined', 'voided', 'rejected'].includes(e.step));
        const step = open.at(-1)?.step ?? 'no-open-entry';
        result.crashSteps[step] = (result.crashSteps[step] ?? 0) + 1;
      }
      result.crashPoints += hit.length;
      const tk = performance.now();
      if (killCp) await world.startCp();
      else await Promise.all(victims.map((v) => world.startKiosk(v)));
      const tr = performance.now();
      await Promise.all(flights);
      const tf = performance.now();
      await quiesce();
      snapshot();
      timing.restart += tr - tk;
      timing.flights += tf - tr;
      timing.quiesce += performance.now() - tf;
      if (result.rounds % 10 === 0) {
        log(
          `round ${result.rounds}: ${result.crashPoints}/${opts.points} crash points; ms spent restarting ${Math.round(timing.restart)}, finishing flights ${Math.round(timing.flights)}, recovering ${Math.round(timing.quiesce)}; avg payment ${Math.round(avgPayMs)} ms`,
        );
      }
    }
    world.disableProxyFaults();
    await quiesce(90_000);
    // The control plane's own recovery finishes what no kiosk drives any more (e.g. a QR payment paid late).
    const deadline = Date.now() + 30_000;
    snapshot();
    let invariants = checkInvariants(world, seen);
    while (invariants.nonTerminal > 0 && Date.now() < deadline) {
      await sleep(300);
      await quiesce(10_000);
      snapshot();
      invariants = checkInvariants(world, seen);
    }
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const res = await fetch(`${world.cpUrl}${API.reconciliation}?date=${today}`, {
      headers: { authorization: `Bearer ${world.admin.token}`, accept: 'application/json' },
    });
    const report = (await res.json()) as ReconciliationReport;
    return {
      ...result,
      proxyFaults: world.kiosks.reduce((n, k) => n + k.proxy.fired.length, 0),
      invariants,
      reconciliation: {
        balanced: report.balanced,
        mismatches: report.mismatches.length,
        capturedFen: report.totals.capturedFen,
        postedFen: report.totals.postedFen,
      },
      startupMs: { controlPlane: stats(world.startupMs.cp), kiosk: stats(world.startupMs.kiosk) },
      durationMs: Math.round(performance.now() - t0),
      seed,
    };
  } finally {
    await world.tearDown(opts.keepData);
  }
}
