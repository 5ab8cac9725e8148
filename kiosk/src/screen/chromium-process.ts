import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Chromium flags for a headless screen (demo, tests) that talks to nothing but loopback. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--noerrdialogs',
  '--hide-scrollbars',
  '--mute-audio',
  // DevTools on loopback only, on a port the OS picks; the address flag is ignored by Chromium ≥ 120 anyway.
  '--remote-debugging-address=127.0.0.1',
];

/** A Chromium the runtime launched itself (screen.launchChromium): its process and DevTools endpoint. */
export interface ChromiumProcess {
  readonly pid: number;
  readonly wsEndpoint: string;
  readonly exited: Promise<void>;
  kill(): Promise<void>;
}

/**
 * Starts Chromium with its own throwaway profile (a dedicated --user-data-dir also keeps DevTools working on
 * Chromium ≥ 136) and waits for "DevTools listening on ws://…". Spawned here rather than by Playwright's
 * launch(), so the runtime holds the real process: it can kill a hung browser and see it die.
 */
export async function launchChromium(o: {
  path: string;
  width: number;
  height: number;
  /** DevTools port; 0 (default) lets the OS pick. */
  port?: number;
  timeoutMs?: number;
}): Promise<ChromiumProcess> {
  const profile = await mkdtemp(join(tmpdir(), 'linli-screen-'));
  const child: ChildProcess = spawn(
    o.path,
    [
      ...ARGS,
      `--remote-debugging-port=${o.port ?? 0}`,
      `--user-data-dir=${profile}`,
      `--window-size=${o.width},${o.height}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => rm(profile, { recursive: true, force: true }).catch(() => undefined));
  const wsEndpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`Chromium did not open DevTools within ${o.timeoutMs ?? 20_000} ms: ${err.slice(-400)}`),
      );
    }, o.timeoutMs ?? 20_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited at start: ${err.slice(-400)}`));
    });
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  // Keep draining stderr, or a chatty Chromium blocks on a full pipe.
  child.stderr?.resume();
  return {
    pid: child.pid!,
    wsEndpoint,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
