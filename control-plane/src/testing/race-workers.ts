/**
 * Starts `payment-race-worker.ts` processes, waits until every one has opened its store, releases them
 * together with the same arguments, and returns each one's JSON result (stopped by pid on timeout).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StoreLocation } from '../storage/contract/stores.js';

const WORKER = join(import.meta.dirname, 'payment-race-worker.ts');

function nextLine(child: ChildProcess): () => Promise<string> {
  let buf = '';
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let exited: Error | undefined;
  child.stdout!.on('data', (d) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    queue.push(...parts);
    wake?.();
  });
  child.once('exit', (code) => {
    exited = new Error(`race worker ${child.pid} exited with ${code}`);
    wake?.();
  });
  return async () => {
    while (queue.length === 0) {
      if (exited) throw exited;
      await new Promise<void>((r) => (wake = r));
    }
    return queue.shift()!;
  };
}

export interface RaceRun<R> {
  result: R;
  /** When the worker started and finished its op (wall clock ms), to show the runs overlapped. */
  t0: number;
  t1: number;
}

/** True when every run was under way before any other finished: the writes really were concurrent. */
export function overlapped(runs: readonly RaceRun<unknown>[]): boolean {
  return Math.max(...runs.map((r) => r.t0)) < Math.min(...runs.map((r) => r.t1));
}

export async function race<R>(
  op: 'create' | 'transition' | 'refund' | 'events' | 'cards',
  where: StoreLocation,
  args: unknown,
  processes = 2,
  timeoutMs = 90_000,
): Promise<RaceRun<R>[]> {
  const workers = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['--import', 'tsx', WORKER, op, JSON.stringify(where)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const timer = setTimeout(() => {
    for (const w of workers) if (w.pid !== undefined && w.exitCode === null) process.kill(w.pid, 'SIGKILL');
  }, timeoutMs);
  try {
    const lines = workers.map(nextLine);
    for (const next of lines) if ((await next()) !== 'ready') throw new Error('race worker did not start');
    const line = `${JSON.stringify({ ...(args as object), startAt: Date.now() + 200 })}\n`;
    for (const w of workers) w.stdin!.write(line);
    return await Promise.all(lines.map(async (next) => JSON.parse(await next()) as RaceRun<R>));
  } finally {
    clearTimeout(timer);
  }
}
