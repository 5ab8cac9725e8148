import { runChaos } from '../tests/helpers/chaos/chaos-run.js';
import type { Benchmark } from './run.js';

/**
 * `npm run bench -- chaos --points N [--kiosks K] [--seed S]`: the chaos harness of tests/system (real
 * processes, fault proxy, kill -9 at random points of payments) with N crash points; reports the money
 * invariants (goal 0 each) and what the run cost.
 */
export const benchmark: Benchmark = {
  name: 'chaos',
  summary: 'kill -9 the control plane or kiosks at N random points of payments; count money invariant breaks',
  async run(args, emit) {
    const arg = (name: string, def: number) => {
      const i = args.indexOf(name);
      return i >= 0 ? Number(args[i + 1]) : def;
    };
    const points = arg('--points', 1000);
    const r = await runChaos({
      points,
      kiosks: arg('--kiosks', 6),
      seed: arg('--seed', Date.now() % 1_000_000),
      log: (l) => process.stderr.write(`${l}\n`),
    });
    const common = { points: r.crashPoints, seed: r.seed };
    emit({
      name: 'chaos.double_captures',
      value: r.invariants.doubleCaptures,
      unit: 'payments',
      goal: 0,
      ...common,
    });
    emit({
      name: 'chaos.lost_captures',
      value: r.invariants.lostCaptures,
      unit: 'payments',
      goal: 0,
      ...common,
    });
    emit({
      name: 'chaos.non_terminal',
      value: r.invariants.nonTerminal,
      unit: 'payments',
      goal: 0,
      ...common,
    });
    emit({
      name: 'chaos.disagreements',
      value: r.invariants.disagreements.length,
      unit: 'payments',
      goal: 0,
      ...common,
    });
    emit({
      name: 'chaos.orphan_authorizations',
      value: r.invariants.orphanAuthorizations,
      unit: 'payments',
      goal: 0,
    });
    emit({
      name: 'chaos.orphan_wallet_payments',
      value: r.invariants.orphanWalletPayments,
      unit: 'payments',
      goal: 0,
    });
    emit({
      name: 'chaos.reconciliation_mismatches',
      value: r.reconciliation.mismatches,
      unit: 'mismatches',
      goal: 0,
    });
    emit({
      name: 'chaos.run',
      value: r.crashPoints,
      unit: 'crash points',
      kills: r.kills,
      rounds: r.rounds,
      payments: r.invariants.payments,
      byState: r.invariants.byState,
      byMethod: r.invariants.byMethod,
      crashSteps: r.crashSteps,
      proxyFaults: r.proxyFaults,
      durationSec: Math.round(r.durationMs / 1000),
    });
    emit({
      name: 'chaos.startup.control_plane',
      value: r.startupMs.controlPlane.p50,
      unit: 'ms',
      max: r.startupMs.controlPlane.max,
      n: r.startupMs.controlPlane.n,
    });
    emit({
      name: 'chaos.startup.kiosk',
      value: r.startupMs.kiosk.p50,
      unit: 'ms',
      max: r.startupMs.kiosk.max,
      n: r.startupMs.kiosk.n,
    });
    if (r.invariants.disagreements.length > 0)
      process.stderr.write(`${r.invariants.disagreements.slice(0, 20).join('\n')}\n`);
  },
};
