import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import {
  BACKUP_FORMAT,
  type BackupManifest,
  copyDurable,
  dataDirFiles,
  describeFile,
  readVerifiedManifest,
  writeManifest,
} from './backup-manifest.js';
import {
  assertRestoreTarget,
  onlineCopy,
  prepareOut,
  restoreFiles,
  SIM_BACKUP_FILE,
} from './sqlite-backup.js';

const run = promisify(execFile);
export const PG_DUMP_FILE = 'store.pgdump';
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL without its password (which goes in PGPASSWORD), so it is in neither argv nor `ps`. */
function connection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env = { ...process.env };
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  return { url: u.toString(), env };
}

async function tool(bin: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const c = connection(url);
  try {
    await run(bin, [...args, `--dbname=${c.url}`], { env: c.env, maxBuffer: 16 * 1024 * 1024 });
  } catch (cause) {
    const e = cause as { stderr?: string; message: string; code?: string };
    throw new LinliError(
      ErrorCode.BACKUP_FAILED,
      e.code === 'ENOENT'
        ? `${bin} is not installed; install the PostgreSQL client tools (same major version as the server)`
        : `${bin} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join(' ')}`,
      { tool: bin },
      { cause },
    );
  }
}

function checkSchema(schema: string, field: string): void {
  if (!SCHEMA.test(schema)) {
    throw new LinliError(
      ErrorCode.CONFIG_INVALID,
      `${field} "${schema}" is not a plain lower-case schema name`,
      {
        field,
      },
    );
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const tableCount = async (c: pg.Client, schema: string): Promise<number | undefined> => {
  const s = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (s.rowCount === 0) return undefined;
  const t = await c.query(
    "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r','p','v','m','S')",
    [schema],
  );
  return (t.rows[0] as { n: number }).n;
};

export interface PgBackupOptions {
  url: string;
  schema: string;
  dataDir: string;
  out: string;
  simLedgerFile?: string;
  now?: () => Date;
}

/**
 * `pg_dump -Fc` of the store's schema: one snapshot (pg_dump runs in one repeatable-read transaction), so
 * it is consistent while the control planes keep writing. The data dir's keys and roots go beside it.
 */
export async function backupPg(o: PgBackupOptions): Promise<BackupManifest> {
  checkSchema(o.schema, 'pg-schema');
  const schemaVersion = await withClient(o.url, async (c) => {
    if ((await tableCount(c, o.schema)) === undefined) {
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        `there is no schema "${o.schema}" at that PostgreSQL URL`,
        {
          field: 'pg-schema',
        },
      );
    }
    const r = await c.query(`SELECT MAX(version)::int AS v FROM "${o.schema}".schema_migrations`);
    return (r.rows[0] as { v: number | null }).v ?? 0;
  });
  await prepareOut(o.out);
  await tool(
    'pg_dump',
    [
      '--format=custom',
      `--schema=${o.schema}`,
      '--no-owner',
      '--no-privileges',
      `--file=${join(o.out, PG_DUMP_FILE)}`,
    ],
    o.url,
  );
  const files = [await describeFile(o.out, PG_DUMP_FILE)];
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
    engine: 'postgresql',
    createdAt: (o.now?.() ?? new Date()).toISOString(),
    schemaVersion,
    pgSchema: o.schema,
    files,
  };
  await writeManifest(o.out, manifest);
  return manifest;
}

export interface PgRestoreOptions {
  from: string;
  url: string;
  /** The schema to restore into (default: the one backed up); it must not exist or be empty. */
  schema?: string;
  dataDir: string;
  simLedgerFile?: string;
}

/**
 * `pg_restore` into an empty schema, in one transaction (all or nothing). Under another name than the one
 * backed up it restores under the original name and renames it, so that name must be free as well.
 */
export async function restorePg(o: PgRestoreOptions): Promise<BackupManifest> {
  const m = await readVerifiedManifest(o.from);
  if (m.engine !== 'postgresql' || !m.pgSchema) {
    throw new LinliError(
      ErrorCode.BAD_REQUEST,
      `the backup in ${o.from} is of a ${m.engine} store; restore it without --pg`,
      { field: 'from' },
    );
  }
  const source = m.pgSchema;
  const target = o.schema ?? source;
  checkSchema(target, 'pg-schema');
  await assertRestoreTarget(m, o, ['linli.sqlite']);
  await withClient(o.url, async (c) => {
    for (const s of new Set([target, source])) {
      const n = await tableCount(c, s);
      if (n !== undefined && n > 0) {
        throw new LinliError(
          ErrorCode.RESTORE_TARGET_NOT_EMPTY,
          `schema "${s}" at that PostgreSQL URL is not empty (${n} tables or sequences); restore into an empty database or a schema that does not exist — a restore never overwrites a store`,
          { field: 'pg-schema', schema: s },
        );
      }
      // Empty: pg_restore creates it itself.
      if (n === 0) await c.query(`DROP SCHEMA "${s}"`);
    }
  });
  await tool(
    'pg_restore',
    ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', join(o.from, PG_DUMP_FILE)],
    o.url,
  );
  if (target !== source)
    await withClient(o.url, (c) => c.query(`ALTER SCHEMA "${source}" RENAME TO "${target}"`));
  await restoreFiles(m, o);
  return m;
}
