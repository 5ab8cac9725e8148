import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LINLI_BIN = fileURLToPath(new URL('../../bin/linli.js', import.meta.url));

export interface DemoChildOptions {
  /**
   * Exit codes after which the process is started again, like systemd's `Restart=` does on a device: a
   * device runtime exits with RESTART_EXIT_CODE (kiosk/src/restart-code.ts) on a remote `reboot` command.
   */
  respawnOn?: readonly number[];
  /** Told each time the process was started again. */
  onRespawn?: (count: number) => void;
}

/**
 * A `linli` subprocess started by the demo. Its output goes to a log file (so the terminal shows only the
 * demo's summary) and is scanned for the lines the demo waits for. `exited` resolves when it stopped for
 * good (not when it exited with a respawn code and was started again).
 */
export class DemoChild {
  readonly name: string;
  readonly logPath: string;
  #child!: ChildProcess;
  readonly #log: WriteStream;
  readonly #args: string[];
  readonly #opts: DemoChildOptions;
  #recent = '';
  #listeners: ((text: string) => void)[] = [];
  #stopping = false;
  #respawns = 0;
  readonly exited: Promise<number | null>;
  #exit!: (code: number | null) => void;

  constructor(name: string, args: string[], logDir: string, opts: DemoChildOptions = {}) {
    this.name = name;
    this.logPath = join(logDir, `${name}.log`);
    this.#log = createWriteStream(this.logPath, { flags: 'a' });
    this.#args = args;
    this.#opts = opts;
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
    this.#spawn();
  }

  /** How many times the process was started again after a respawn exit code. */
  get respawns(): number {
    return this.#respawns;
  }

  #spawn(): void {
    const child = spawn(process.execPath, [LINLI_BIN, ...this.#args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    });
    this.#child = child;
    const onData = (buf: Buffer): void => {
      this.#log.write(buf);
      this.#recent = (this.#recent + buf.toString()).slice(-64_000);
      for (const l of this.#listeners) l(this.#recent);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      if (!this.#stopping && code !== null && this.#opts.respawnOn?.includes(code)) {
        this.#respawns++;
        this.#log.write(`\n[demo] ${this.name} exited with ${code}: starting it again\n`);
        this.#spawn();
        this.#opts.onRespawn?.(this.#respawns);
        return;
      }
      this.#log.end();
      this.#exit(code);
    });
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get recentOutput(): string {
    return this.#recent;
  }

  /** Resolves with the first match of `re` in the output; rejects if the process exits first or on timeout. */
  waitFor(re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (text: string): boolean => {
        const m = text.match(re);
        if (m) {
          cleanup();
          resolve(m);
        }
        return Boolean(m);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not print ${re} within ${timeoutMs} ms; see ${this.logPath}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== listener);
      };
      const listener = (text: string): void => {
        check(text);
      };
      if (check(this.#recent)) return;
      this.#listeners.push(listener);
      this.exited.then((code) => {
        cleanup();
        reject(new Error(this.failure(code)));
      });
    });
  }

  /**
   * Why the child stopped before it was ready: its own coded error line (`linli: LINLI_ERR_…: …`, which says
   * what to do) if it printed one, else its last lines; and where the full log is.
   */
  failure(code: number | null): string {
    const coded = [...this.#recent.matchAll(/^linli(?: [\w-]+)?: (LINLI_ERR_\w+: .*)$/gm)].pop()?.[1];
    if (coded) return `${this.name} could not start: ${coded}\n(full log: ${this.logPath})`;
    const tail = this.#recent.trim().split('\n').slice(-8).join('\n');
    return `${this.name} exited (code ${code}) before it was ready; its last output:\n${tail}\n(full log: ${this.logPath})`;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping = true;
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs a short-lived `linli` command to completion and returns its output, failing on a non-zero exit. */
export async function runLinli(name: string, args: string[], logDir: string): Promise<string> {
  const child = new DemoChild(name, args, logDir);
  const code = await child.exited;
  if (code !== 0) {
    throw new Error(`linli ${args[0]} failed (exit ${code}):\n${child.recentOutput.trim().slice(-2000)}`);
  }
  return child.recentOutput;
}
