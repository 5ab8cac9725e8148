import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import type { ControlPlaneConfig } from './config.js';
import { tufPaths } from './tuf/tuf-keys.js';

/*
 * Start-up problems a new user meets (port taken, folder not writable) become one coded line that says what
 * to do, checked BEFORE the first start writes anything: a failed first start must not create an admin whose
 * password scrolls past above the error.
 */

const LISTEN_HINT: Record<string, string> = {
  EADDRINUSE: 'another process is using that port; stop it, or pass another --port / LINLI_PORT',
  EACCES: 'ports below 1024 need privileges; pass a port above 1023 with --port / LINLI_PORT',
  EADDRNOTAVAIL: 'that address is not on this machine; pass another --host / LINLI_HOST',
};

/** The coded form of a listen error, or undefined for errors that are not about the address. */
export function listenFailure(err: unknown, host: string, port: number): LinliError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const hint = code ? LISTEN_HINT[code] : undefined;
  if (!code || !hint) return undefined;
  return new LinliError(
    ErrorCode.LISTEN_FAILED,
    `cannot listen on ${host}:${port} (${code}): ${hint}`,
    { field: code === 'EADDRNOTAVAIL' ? 'host' : 'port', errno: code },
    { cause: err },
  );
}

/** Binds and releases the address once, so a taken port is reported before anything is created. */
export async function probeListen(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolveProbe, reject) => {
    const srv = createServer();
    srv.once('error', (err) => reject(listenFailure(err, host, port) ?? err));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolveProbe()));
  });
}

/** The nearest part of `path` that exists (the path itself, or an ancestor). */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

const who = (): string => (typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user');

/**
 * Throws LINLI_ERR_DATA_DIR_UNWRITABLE unless `dir` is (or can be created as) a folder this process can write.
 * Creates nothing: it checks the folder, or the nearest ancestor that exists. `elsewhere` says how to pick
 * another folder.
 */
export function checkWritableDir(dir: string, what: string, elsewhere: string): void {
  const existing = nearestExisting(dir);
  let code: string | undefined;
  try {
    if (!statSync(existing).isDirectory()) code = 'ENOTDIR';
    else accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
  }
  if (!code) return;
  const abs = resolve(dir);
  const self = existing === abs;
  const target = self ? 'it' : existing;
  const problem =
    code === 'ENOTDIR'
      ? `${self ? 'it' : existing} is a file, not a folder; ${elsewhere}`
      : `${who()} cannot ${self ? 'write in it' : `create folders in ${existing}`}; give ${who()} write access to ${target}, or ${elsewhere}`;
  throw new LinliError(ErrorCode.DATA_DIR_UNWRITABLE, `cannot use ${what} ${abs} (${code}): ${problem}`, {
    path: abs,
    errno: code,
  });
}

/** The data dir, and on a first start that creates the TUF root, the offline key folder beside it. */
export function checkDataDirs(config: ControlPlaneConfig): void {
  checkWritableDir(config.dataDir, 'data dir', 'pass another folder with --data / LINLI_DATA');
  if (config.autoInitKeys && !existsSync(tufPaths(config.dataDir).root(1))) {
    checkWritableDir(
      config.offlineKeysDir,
      'the offline root key folder (a first start creates it beside the data dir)',
      'set LINLI_OFFLINE_KEYS to another folder, or run `linli keys init` first',
    );
  }
}

/**
 * A file-system error that escaped start-up (a folder made read-only mid-way, a full disk): coded, naming
 * the path, never a stack trace.
 */
export function fileSystemFailure(err: unknown): LinliError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const fsCodes = ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EISDIR', 'EEXIST'];
  if (!e?.code || !e.path || !fsCodes.includes(e.code)) return undefined;
  return new LinliError(
    ErrorCode.DATA_DIR_UNWRITABLE,
    `cannot ${e.syscall ?? 'write'} ${e.path} (${e.code}); check the owner, permissions and free space of that folder, or pass another --data / LINLI_DATA`,
    { path: e.path, errno: e.code },
    { cause: err },
  );
}
