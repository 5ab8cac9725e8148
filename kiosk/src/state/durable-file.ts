import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file operations a durable write needs; injectable so tests can simulate a crash at each step. */
export interface DurableFs {
  open: typeof nodeFs.open;
  rename: typeof nodeFs.rename;
  rm: typeof nodeFs.rm;
  readdir: typeof nodeFs.readdir;
}

const realFs: DurableFs = {
  open: nodeFs.open,
  rename: nodeFs.rename,
  rm: nodeFs.rm,
  readdir: nodeFs.readdir,
};

export interface DurableWriteOptions {
  /** File mode of the written file; device state is private to the runtime's user. */
  mode?: number;
  fs?: DurableFs;
}

/** Temp files live next to their target (rename is atomic only within one file system). */
function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/**
 * Replaces `path` with `data` so that after a crash or power cut the file holds either the old or the new
 * content, never a mix: write a temp file in the same directory, fsync it, rename it over the target, then
 * fsync the directory so the rename itself is on disk.
 */
export async function writeFileDurable(
  path: string,
  data: string | Uint8Array,
  options: DurableWriteOptions = {},
): Promise<void> {
  const fs = options.fs ?? realFs;
  const dir = dirname(path);
  const tmp = join(dir, `${tempPrefix(path)}${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', options.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir, fs);
}

export async function fsyncDir(dir: string, fs: DurableFs = realFs): Promise<void> {
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Removes temp files a crash left behind before their rename; they never hold the committed state. */
export async function removeStaleTemps(path: string, fs: DurableFs = realFs): Promise<string[]> {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const stale = names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
  for (const n of stale) await fs.rm(join(dir, n), { force: true });
  return stale;
}
