import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redact } from '../pg/pg-database.js';

/**
 * Where tests find PostgreSQL, and whether they must. CI provides the local server (`.ci/run` starts it);
 * elsewhere a test needing it skips, with a note, when nothing answers.
 */
export const PG_TEST_URL = process.env.LINLI_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const PG_REQUIRED = process.env.CI === 'true';

let probe: Promise<string | undefined> | undefined;

/** undefined when reachable, else why not. Probed once per test file. */
export function pgUnavailable(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      return (err as Error).message || String(err);
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return probe;
}

/**
 * true: run the PostgreSQL tests. false: skip them (not CI, server down; a note is printed). Throws in CI
 * when the server is down, so CI can never pass by skipping.
 */
export async function pgShouldRun(what: string): Promise<boolean> {
  const why = await pgUnavailable();
  if (why === undefined) return true;
  if (PG_REQUIRED)
    throw new Error(`CI=true but PostgreSQL at ${redact(PG_TEST_URL)} is unreachable (${why})`);
  console.warn(`note: skipping ${what} on PostgreSQL: ${redact(PG_TEST_URL)} is unreachable (${why})`);
  return false;
}

/** A schema name no other run uses. */
export function freshSchemaName(prefix = 'linli_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
