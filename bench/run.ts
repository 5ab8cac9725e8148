/**
 * `npm run bench -- NAME [options]` runs one benchmark; `npm run bench` runs them all. Each benchmark prints one
 * JSON line per figure: {"name","value","unit"} plus p50/p99/max/baseline/ratio/goal where they apply.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  p50?: number;
  p99?: number;
  max?: number;
  baseline?: number;
  ratio?: number;
  goal?: number | string;
  [extra: string]: unknown;
}

export interface Benchmark {
  readonly name: string;
  readonly summary: string;
  run(args: string[], emit: (f: Figure) => void): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

async function load(): Promise<Map<string, Benchmark>> {
  const out = new Map<string, Benchmark>();
  for (const f of readdirSync(here).sort()) {
    if (!f.endsWith('.bench.ts')) continue;
    const mod = (await import(join(here, f))) as { benchmark: Benchmark };
    out.set(mod.benchmark.name, mod.benchmark);
  }
  return out;
}

const emit = (f: Figure): void => {
  process.stdout.write(`${JSON.stringify(f)}\n`);
};

const [name, ...args] = process.argv.slice(2);
const all = await load();
if (name === '--list' || name === '--help') {
  for (const b of all.values()) process.stdout.write(`${b.name.padEnd(20)} ${b.summary}\n`);
} else if (name) {
  const b = all.get(name);
  if (!b) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${[...all.keys()].join(', ')}\n`);
    process.exit(2);
  }
  await b.run(args, emit);
} else {
  for (const b of all.values()) await b.run([], emit);
}
