import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from '../run.js';

const here = dirname(fileURLToPath(import.meta.url));

/** CPU time (user + system) of a process, µs, from /proc (clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Resident set size of a process, bytes, from /proc. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** The machine and its load, printed beside the figures (the VM is shared; ratios are what hold). */
export function machineFigure(): Figure {
  const [l1, l5, l15] = loadavg();
  return {
    name: 'machine',
    value: Math.round(l1! * 100) / 100,
    unit: 'load1',
    loadavg: [l1, l5, l15].map((x) => Math.round(x! * 100) / 100),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

async function waitExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Our own Mosquitto on a free loopback port, from a temp config; stopped by its pid. */
export class Mosquitto {
  readonly child: ChildProcess;
  readonly #dir: string;
  #out = '';

  constructor(port: number, bin = '/usr/sbin/mosquitto') {
    this.#dir = mkdtempSync(join(tmpdir(), 'linli-mosq-'));
    const conf = join(this.#dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'allow_duplicate_messages true',
        'max_connections -1',
        'persistence false',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'),
    );
    this.child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (b: Buffer) => (this.#out += b));
    this.child.stderr?.on('data', (b: Buffer) => (this.#out += b));
  }

  get output(): string {
    return this.#out;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await waitExit(this.child, 5_000);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** A TypeScript module of this folder in its own node process (tsx), with an IPC request/answer channel. */
export class Child {
  readonly child: ChildProcess;
  #queue: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];

  constructor(file: string, args: string[] = []) {
    this.child = fork(join(here, file), args, {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: { ok: boolean; value?: unknown; error?: string }) => {
      const w = this.#queue.shift();
      if (m.ok) w?.resolve(m.value);
      else w?.reject(new Error(m.error));
    });
    this.child.on('exit', (code) => {
      for (const w of this.#queue.splice(0)) w.reject(new Error(`${file} exited (${code})`));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T>(msg: unknown, timeoutMs = 120_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(msg)}`)), timeoutMs);
      this.#queue.push({
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send(msg as object);
    });
  }

  /** Waits for a line on the child's stdout (e.g. "listening"). */
  waitLine(re: RegExp, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`child never printed ${re}`)), timeoutMs);
      this.child.stdout?.on('data', (b: Buffer) => {
        out += b;
        if (re.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (this.child.connected) await this.call({ cmd: 'close' }, 10_000).catch(() => {});
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await waitExit(this.child, 5_000);
  }
}
