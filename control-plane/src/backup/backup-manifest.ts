import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { isValid } from '../../../protocol/validate.js';
import { writeFileDurable } from '../fs/durable-write.js';

export const MANIFEST_FILE = 'backup.json';
export const BACKUP_FORMAT = 'linli.backup/v1';

/**
 * The only paths a backup may name, relative to the backup (and, restored, to the data dir): the store (a
 * SQLite file or a pg_dump archive), the simulators' ledger, the online keys and the TUF roots. Never the
 * offline root keys: they live beside the data dir and stay off this machine's backups.
 */
const BACKUP_PATH =
  '^(linli\\.sqlite|simulators\\.sqlite|store\\.pgdump|keys/[A-Za-z0-9][A-Za-z0-9._-]{0,100}|tuf/roots/[1-9][0-9]{0,8}\\.root\\.json)$';

export const BackupManifest = Type.Object(
  {
    format: Type.Literal(BACKUP_FORMAT),
    engine: Type.Union([Type.Literal('sqlite'), Type.Literal('postgresql')]),
    createdAt: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' }),
    schemaVersion: Type.Integer({ minimum: 1, maximum: 100_000 }),
    /** PostgreSQL: the schema the archive holds. */
    pgSchema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
    files: Type.Array(
      Type.Object(
        {
          path: Type.String({ pattern: BACKUP_PATH }),
          sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          bytes: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);
export type BackupManifest = Static<typeof BackupManifest>;
export type BackupFile = BackupManifest['files'][number];

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function describeFile(root: string, path: string): Promise<BackupFile> {
  const file = join(root, path);
  return { path, sha256: await sha256File(file), bytes: (await lstat(file)).size };
}

/** Regular files directly in `dir` (no links, no sub-folders), as paths relative to `root`. */
async function regularFiles(root: string, dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(root, dir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    if (n.startsWith('.')) continue; // temp files of durable writes
    if ((await lstat(join(root, dir, n))).isFile()) out.push(`${dir}/${n}`);
  }
  return out;
}

/** The data dir's files beside the store that a restore needs: online keys and TUF roots. */
export async function dataDirFiles(dataDir: string): Promise<string[]> {
  return [...(await regularFiles(dataDir, 'keys')), ...(await regularFiles(dataDir, 'tuf/roots'))];
}

/** Copies into place durably: temp file, fsync, rename, fsync the folder. */
export async function copyDurable(src: string, dest: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
  const tmp = `${dest}.restore-tmp`;
  await copyFile(src, tmp);
  const fh = await open(tmp, 'r+');
  try {
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, dest).catch(async (err) => {
    await unlink(tmp).catch(() => undefined);
    throw err;
  });
  const dh = await open(dirname(dest), 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

export async function writeManifest(out: string, m: BackupManifest): Promise<void> {
  await writeFileDurable(join(out, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`, 0o600);
}

/**
 * Reads a backup's manifest and checks every file it names against its hash before anything is restored:
 * a backup is input from outside, and a half-good one must not become a half-restored store.
 */
export async function readVerifiedManifest(from: string): Promise<BackupManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(from, MANIFEST_FILE), 'utf8'));
  } catch (cause) {
    throw new LinliError(
      ErrorCode.BAD_REQUEST,
      `${join(from, MANIFEST_FILE)} is missing or not JSON (${(cause as Error).message}); --from must be a folder written by \`linli backup\``,
      { field: 'from' },
      { cause },
    );
  }
  if (!isValid(BackupManifest, raw)) {
    throw new LinliError(
      ErrorCode.BAD_REQUEST,
      `${join(from, MANIFEST_FILE)} is not a ${BACKUP_FORMAT} manifest (unknown format, or a path outside the store, keys and TUF roots); use a backup written by \`linli backup\``,
      { field: 'from' },
    );
  }
  const m = raw as BackupManifest;
  const storeFile = m.engine === 'sqlite' ? 'linli.sqlite' : 'store.pgdump';
  if (!m.files.some((f) => f.path === storeFile)) {
    throw new LinliError(ErrorCode.BAD_REQUEST, `the backup in ${from} has no ${storeFile}`, {
      field: 'from',
    });
  }
  for (const f of m.files) {
    const file = join(from, f.path);
    const st = await lstat(file).catch(() => undefined);
    if (!st?.isFile() || st.size !== f.bytes || (await sha256File(file)) !== f.sha256) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `${file} is missing or does not match the manifest's size and SHA-256; the backup is damaged, restore another one`,
        { field: 'from', path: f.path },
      );
    }
  }
  return m;
}

/** Refuses a restore over anything: the data dir may exist, but hold no store, keys or roots. */
export async function assertEmptyDataDir(dataDir: string, storeFiles: readonly string[]): Promise<void> {
  const present: string[] = [];
  for (const p of storeFiles) if (await lstat(join(dataDir, p)).catch(() => undefined)) present.push(p);
  present.push(...(await dataDirFiles(dataDir)));
  if (present.length > 0) {
    throw new LinliError(
      ErrorCode.RESTORE_TARGET_NOT_EMPTY,
      `the data dir ${dataDir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); restore into a new, empty data dir — a restore never overwrites a store`,
      { field: 'data', present: present.slice(0, 10) },
    );
  }
}
