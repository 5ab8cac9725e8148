import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { DB_FILE } from '../storage/sqlite/database.js';
import {
  assertEmptyDataDir,
  BACKUP_FORMAT,
  type BackupManifest,
  copyDurable,
  dataDirFiles,
  describeFile,
  readVerifiedManifest,
  writeManifest,
} from './backup-manifest.js';

export const SIM_BACKUP_FILE = 'simulators.sqlite';

/** The backup folder must be new or empty: a backup never mixes with another one. */
export async function prepareOut(out: string): Promise<void> {
  await mkdir(out, { recursive: true, mode: 0o700 });
  if ((await readdir(out)).length > 0) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `the backup folder ${out} is not empty; give a new folder to --out`,
      { field: 'out' },
    );
  }
}

/**
 * SQLite's online backup API (better-sqlite3 `db.backup()`) copies pages from a read-only connection, and
 * starts over when another connection writes mid-copy, so the copy is one consistent state while the server
 * keeps running and committing.
 */
export async function onlineCopy(src: string, dest: string): Promise<number> {
  const db = new BetterSqlite3(src, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest);
  } finally {
    db.close();
  }
  const copy = new BetterSqlite3(dest, { readonly: true, fileMustExist: true });
  try {
    const ok = copy.pragma('integrity_check', { simple: true });
    if (ok !== 'ok')
      throw new LinliError(ErrorCode.BACKUP_FAILED, `the copy of ${src} fails its integrity check: ${ok}`);
    const v = copy.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    return v.v ?? 0;
  } finally {
    copy.close();
  }
}

export interface SqliteBackupOptions {
  dataDir: string;
  out: string;
  /** The simulators' ledger, backed up beside the store when it exists (default `<dataDir>/simulators.sqlite`). */
  simLedgerFile?: string;
  now?: () => Date;
}

export async function backupSqlite(o: SqliteBackupOptions): Promise<BackupManifest> {
  const src = join(o.dataDir, DB_FILE);
  if (!existsSync(src)) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `no store at ${src}; --data must be the control plane's data dir`,
      {
        field: 'data',
      },
    );
  }
  await prepareOut(o.out);
  const schemaVersion = await onlineCopy(src, join(o.out, DB_FILE));
  const files = [await describeFile(o.out, DB_FILE)];
  const sim = o.simLedgerFile ?? join(o.dataDir, SIM_BACKUP_FILE);
  if (existsSync(sim)) {
    await onlineCopy(sim, join(o.out, SIM_BACKUP_FILE));
    files.push(await describeFile(o.out, SIM_BACKUP_FILE));
  }
  for (const p of await dataDirFiles(o.dataDir)) {
    await copyDurable(join(o.dataDir, p), join(o.out, p));
    files.push(await describeFile(o.out, p));
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    engine: 'sqlite',
    createdAt: (o.now?.() ?? new Date()).toISOString(),
    schemaVersion,
    files,
  };
  await writeManifest(o.out, manifest);
  return manifest;
}

export interface RestoreFilesOptions {
  from: string;
  dataDir: string;
  simLedgerFile?: string;
}

/** Refuses before anything is written: the data dir (and the simulators' ledger, if one comes) must be free. */
export async function assertRestoreTarget(
  m: BackupManifest,
  o: RestoreFilesOptions,
  storeFiles: readonly string[],
): Promise<void> {
  await assertEmptyDataDir(o.dataDir, storeFiles);
  const sim = o.simLedgerFile ?? join(o.dataDir, SIM_BACKUP_FILE);
  if (m.files.some((f) => f.path === SIM_BACKUP_FILE) && existsSync(sim)) {
    throw new LinliError(
      ErrorCode.RESTORE_TARGET_NOT_EMPTY,
      `the simulators' ledger ${sim} exists; restore into a new data dir (or another --sim-ledger file)`,
      { field: 'simLedgerFile' },
    );
  }
}

/** Puts a verified backup's files into an empty data dir: the store last, so a half restore has no store. */
export async function restoreFiles(m: BackupManifest, o: RestoreFilesOptions): Promise<void> {
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  const order = [...m.files].sort((a, b) => Number(a.path === DB_FILE) - Number(b.path === DB_FILE));
  for (const f of order) {
    if (f.path === 'store.pgdump') continue;
    const dest =
      f.path === SIM_BACKUP_FILE
        ? (o.simLedgerFile ?? join(o.dataDir, SIM_BACKUP_FILE))
        : join(o.dataDir, f.path);
    await copyDurable(join(o.from, f.path), dest, f.path.startsWith('tuf/') ? 0o644 : 0o600);
  }
}

export async function restoreSqlite(o: RestoreFilesOptions): Promise<BackupManifest> {
  const m = await readVerifiedManifest(o.from);
  if (m.engine !== 'sqlite') {
    throw new LinliError(
      ErrorCode.BAD_REQUEST,
      `the backup in ${o.from} is of a ${m.engine} store; restore it with --pg URL`,
      { field: 'from' },
    );
  }
  await assertRestoreTarget(m, o, [DB_FILE, `${DB_FILE}-wal`]);
  await restoreFiles(m, o);
  return m;
}
