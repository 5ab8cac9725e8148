import pg from 'pg';
import { ErrorCode, LinliError } from '../../../../protocol/errors.js';

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const UNIQUE_VIOLATION = '23505';

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

export interface PgDatabaseOptions {
  /** postgres://… (from `--pg` / `LINLI_PG_URL`). */
  url: string;
  /** Tables live in this schema (created if missing); tests use one per run. Default `public`. */
  schema?: string;
  /** Pool size; PostgreSQL, not Node, does the work, so a handful is plenty. */
  max?: number;
}

// BIGINT (int8) and NUMERIC come back as strings by default; every BIGINT here is a millisecond time, a count
// or an amount in fen, all far below 2^53, so Number is exact.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The control plane's handle on PostgreSQL: a pool, plain queries, and transactions that are retried whole
 * on a serialization failure or deadlock (the only safe reaction: nothing from the failed attempt committed).
 * Repositories never keep a transaction open across anything but their own queries.
 */
export class PgDatabase {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly url: string;

  private constructor(pool: pg.Pool, schema: string, url: string) {
    this.pool = pool;
    this.schema = schema;
    this.url = url;
  }

  static async open(opts: PgDatabaseOptions): Promise<PgDatabase> {
    const schema = opts.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) {
      throw new LinliError(ErrorCode.CONFIG_INVALID, `schema "${schema}" is not a plain lower-case name`, {
        field: 'pg',
      });
    }
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      types,
      // search_path per connection, so every query (and every pooled client) sees the same tables.
      options: `-c search_path=${schema}`,
    });
    // An idle client that errors (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new PgDatabase(pool, schema, opts.url);
    try {
      await createSchema(pool, schema);
    } catch (cause) {
      await pool.end().catch(() => {});
      throw new LinliError(
        ErrorCode.CONFIG_INVALID,
        `cannot reach PostgreSQL at ${redact(opts.url)}: ${(cause as Error).message}; check --pg / LINLI_PG_URL and that the server runs`,
        { field: 'pg' },
        { cause },
      );
    }
    return db;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params: readonly unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, params as unknown[]);
  }

  /**
   * Runs `fn` in one transaction on one client. Retried (up to `retries` times) when PostgreSQL reports a
   * serialization failure or a deadlock, so `fn` must only touch the database: no sends, no timers.
   */
  async tx<T>(
    fn: (client: pg.PoolClient) => Promise<T>,
    opts: { isolation?: Isolation; retries?: number } = {},
  ): Promise<T> {
    const isolation = opts.isolation ?? 'read committed';
    const retries = opts.retries ?? 8;
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        if (attempt < retries && RETRYABLE.has(sqlState(err) ?? '')) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
          continue;
        }
        throw err;
      } finally {
        client.release();
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * IF NOT EXISTS is not atomic: instances creating the same new schema at once can fail with a unique
 * violation on pg_namespace (or duplicate_schema). Either means the schema now exists, which is the point.
 */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    const state = sqlState(err);
    if (state !== UNIQUE_VIOLATION && state !== '42P06') throw err;
  }
}

export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

export function isPgUniqueViolation(err: unknown): boolean {
  return sqlState(err) === UNIQUE_VIOLATION;
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
