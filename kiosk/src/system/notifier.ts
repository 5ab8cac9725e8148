import type { Logger } from '../logger.js';

/**
 * systemd's readiness and watchdog protocol (sd_notify(3)): newline-separated KEY=VALUE datagrams to the
 * AF_UNIX socket in $NOTIFY_SOCKET. Node's dgram has no unix sockets, so the datagram goes through the
 * `unix-dgram` addon, from the main process itself: the unit can keep `NotifyAccess=main`, and no helper
 * process races PID 1 (devices-os.md §3). Without $NOTIFY_SOCKET (a shell, a test, `Type=simple`) every
 * call does nothing.
 */
export interface Notifier {
  /** True when a notify socket is set and usable. */
  readonly enabled: boolean;
  ready(status?: string): void;
  watchdog(): void;
  stopping(status?: string): void;
  status(text: string): void;
  close(): void;
}

interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  close(): void;
}

/** One line of STATUS= text: systemctl status shows it; no newlines (they would start a new field). */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').slice(0, 400);

export async function createNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Notifier> {
  const path = env.NOTIFY_SOCKET;
  if (!path) return NOOP;
  if (path.startsWith('@')) {
    // unix-dgram copies the path as a C string, so an abstract name (leading NUL) cannot be addressed.
    log.warn({ socket: path }, 'systemd: abstract NOTIFY_SOCKET is not supported; not notifying');
    return NOOP;
  }
  let socket: DgramSocket;
  try {
    // Loaded only under systemd (a native addon, CommonJS: its exports arrive as `default`).
    const mod = (await import('unix-dgram')) as typeof import('unix-dgram') & {
      default?: typeof import('unix-dgram');
    };
    socket = (mod.default ?? mod).createSocket('unix_dgram') as unknown as DgramSocket;
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'systemd: unix-dgram did not load; not notifying');
    return NOOP;
  }
  let open = true;
  let warned = false;
  socket.on('error', () => undefined);
  const send = (text: string) => {
    if (!open) return;
    const buf = Buffer.from(text, 'utf8');
    socket.send(buf, 0, buf.length, path, (err) => {
      if (err && !warned) {
        warned = true;
        log.warn({ err: err.message, socket: path }, 'systemd: notify datagram not delivered');
      }
    });
  };
  return {
    enabled: true,
    ready: (status) => send(status ? `READY=1\nSTATUS=${oneLine(status)}` : 'READY=1'),
    watchdog: () => send('WATCHDOG=1'),
    stopping: (status) => send(status ? `STOPPING=1\nSTATUS=${oneLine(status)}` : 'STOPPING=1'),
    status: (text) => send(`STATUS=${oneLine(text)}`),
    close: () => {
      if (!open) return;
      open = false;
      socket.close();
    },
  };
}

const NOOP: Notifier = {
  enabled: false,
  ready: () => undefined,
  watchdog: () => undefined,
  stopping: () => undefined,
  status: () => undefined,
  close: () => undefined,
};

/**
 * The watchdog period systemd asks for (sd_watchdog_enabled(3)): WATCHDOG_USEC in µs, for this process
 * only when WATCHDOG_PID is unset or is our pid. Undefined when there is no watchdog.
 */
export function watchdogUsec(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return usec;
}
