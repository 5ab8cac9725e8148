import { type ChildProcess, spawn } from 'node:child_process';
import { LINLI_BIN, REPO_ROOT } from '../processes.js';

/**
 * A `linli` child for the chaos harness: started, awaited until it prints its ready line (the start-up time
 * is measured, since restarts dominate a chaos run), and killed with SIGKILL, never asked nicely.
 */
export class ChaosProc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  readonly exited: Promise<number | null>;
  #out = '';

  constructor(name: string, args: string[], env: NodeJS.ProcessEnv = {}, bin: string = LINLI_BIN) {
    this.name = name;
    this.child = spawn(process.execPath, [bin, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      this.#out = (this.#out + b.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get output(): string {
    return this.#out;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Resolves with the first match and the milliseconds since spawn. 60 s: the chaos test now shares the two
   * cores with the rest of the suite (it starts first), and a loaded machine was seen to need over 30 s.
   */
  async ready(re: RegExp, timeoutMs = 60_000): Promise<{ match: RegExpMatchArray; ms: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.#out.match(re);
      if (m) return { match: m, ms: performance.now() - this.startedAt };
      if (!this.alive) throw new Error(`${this.name} exited before ${re}:\n${this.#out.slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name}: no ${re} within ${timeoutMs} ms:\n${this.#out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async kill9(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(t);
  }
}
