import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from '../contract/pg-env.js';
import { openDatabase } from '../sqlite/database.js';
import { migrate } from '../sqlite/migrate.js';
import { MIGRATIONS } from '../sqlite/migrations/index.js';
import { PG_MIGRATIONS } from './migrations/index.js';
import { PgDatabase, redact } from './pg-database.js';
import { migratePg } from './pg-migrate.js';

/** The migrator's own table is left out of the comparison (since migration 6 neither store has a sim_* table). */
const IGNORED = (table: string) => table === 'schema_migrations';

type Kind = 'text' | 'integer' | 'bytes';
type Shape = Record<string, { name: string; kind: Kind; notNull: boolean }[]>;

/** What a row mapper sees: a string, a number, or a Buffer. */
const SQLITE_KIND: Record<string, Kind> = { TEXT: 'text', INTEGER: 'integer', BLOB: 'bytes' };
const PG_KIND: Record<string, Kind> = { text: 'text', integer: 'integer', bigint: 'integer', bytea: 'bytes' };

function sqliteShape(db: Database): Shape {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const shape: Shape = {};
  for (const { name } of tables) {
    if (IGNORED(name)) continue;
    const cols = db.prepare(`PRAGMA table_info(${name})`).all() as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    // SQLite lets a lone TEXT PRIMARY KEY be NULL (a legacy quirk); PostgreSQL never does. Neither store
    // ever writes one, so a primary-key column counts as NOT NULL on both sides.
    shape[name] = cols.map((c) => ({
      name: c.name,
      kind: SQLITE_KIND[c.type] ?? (`sqlite ${c.type}` as Kind),
      notNull: c.notnull === 1 || c.pk > 0,
    }));
  }
  return shape;
}

async function pgShape(db: PgDatabase): Promise<Shape> {
  const { rows } = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`,
    [db.schema],
  );
  const shape: Shape = {};
  for (const r of rows) {
    if (IGNORED(r.table_name)) continue;
    const cols = shape[r.table_name] ?? [];
    cols.push({
      name: r.column_name,
      kind: PG_KIND[r.data_type] ?? (`pg ${r.data_type}` as Kind),
      notNull: r.is_nullable === 'NO',
    });
    shape[r.table_name] = cols;
  }
  return shape;
}

/** Named indexes (SQLite's automatic ones excluded), with whether they are unique. */
function sqliteIndexes(db: Database): Map<string, boolean> {
  const rows = db
    .prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    .all() as { name: string; tbl_name: string; sql: string }[];
  return new Map(
    rows.filter((r) => !IGNORED(r.tbl_name)).map((r) => [r.name, /^CREATE UNIQUE/i.test(r.sql)] as const),
  );
}

async function pgIndexes(db: PgDatabase): Promise<Map<string, boolean>> {
  const { rows } = await db.query<{ indexname: string; indexdef: string }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1',
    [db.schema],
  );
  return new Map(rows.map((r) => [r.indexname, /^CREATE UNIQUE/i.test(r.indexdef)] as const));
}

const runPg = await pgShouldRun('the schema comparison');

describe('PostgreSQL migrations', () => {
  it('have the same versions and names as the SQLite ones', () => {
    expect(PG_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('create no simulator table', () => {
    for (const m of PG_MIGRATIONS)
      expect(m.sql).not.toMatch(/CREATE\s+(TABLE|(UNIQUE\s+)?INDEX)[^;]*\bsim_/i);
  });

  describe.skipIf(!runPg)(`after migrating both stores (${redact(PG_TEST_URL)})`, () => {
    const schema = freshSchemaName('linli_schema');
    const dir = mkdtempSync(join(tmpdir(), 'linli-pg-schema-'));
    let sqlite: Database;
    let pgdb: PgDatabase;

    beforeAll(async () => {
      sqlite = openDatabase(dir);
      migrate(sqlite, MIGRATIONS);
      pgdb = await PgDatabase.open({ url: PG_TEST_URL, schema, max: 2 });
      await migratePg(pgdb, PG_MIGRATIONS);
    });
    afterAll(async () => {
      sqlite?.close();
      rmSync(dir, { recursive: true, force: true });
      await pgdb?.close();
      await dropSchema(schema);
    });

    it('have the same tables with the same columns, in order, of the same kind, and the same NOT NULLs', async () => {
      const want = sqliteShape(sqlite);
      const got = await pgShape(pgdb);
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const table of Object.keys(want))
        expect({ table, cols: got[table] }).toEqual({ table, cols: want[table] });
    });

    it('have every named SQLite index, unique where SQLite has it unique', async () => {
      const want = sqliteIndexes(sqlite);
      const got = await pgIndexes(pgdb);
      expect(want.size).toBeGreaterThan(20);
      for (const [name, unique] of want) expect({ name, unique: got.get(name) }).toEqual({ name, unique });
    });

    it('are recorded once and re-running applies nothing', async () => {
      expect((await migratePg(pgdb, PG_MIGRATIONS)).applied).toEqual([]);
      const { rows } = await pgdb.query('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    });
  });
});
