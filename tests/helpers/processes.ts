import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LINLI_BIN = join(REPO_ROOT, 'bin', 'linli.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** A `linli` child process with its output kept, so a test can wait for a line and show logs on failure. */
export class LinliProcess {
  readonly child: ChildProcess;
  readonly name: string;
  #out = '';
  #waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  readonly exited: Promise<number | null>;

  /** `execArgv`: node flags for the child itself (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  constructor(name: string, args: string[], env: NodeJS.ProcessEnv = {}, execArgv: string[] = []) {
    this.name = name;
    this.child = spawn(process.execPath, [...execArgv, LINLI_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (buf: Buffer): void => {
      this.#out += buf.toString();
      this.#waiters = this.#waiters.filter((w) => {
        const m = this.#out.match(w.re);
        if (m) w.resolve(m);
        return !m;
      });
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get output(): string {
    return this.#out;
  }

  waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const m = this.#out.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`${this.name}: timed out waiting for ${re}; output so far:\n${this.#out.slice(-4000)}`),
        );
      }, timeoutMs);
      this.#waiters.push({
        re,
        resolve: (mm) => {
          clearTimeout(timer);
          resolve(mm);
        },
      });
      this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name}: exited (${code}) before ${re}; output:\n${this.#out.slice(-4000)}`));
      });
    });
  }

  /** SIGTERM, then SIGKILL if it does not exit in time. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill9(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${String(last)}`);
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
