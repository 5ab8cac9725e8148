import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/errors.js';
import { openDatabase } from './database.js';
import { type Migration, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { SqliteRepository } from './sqlite-repository.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'linli-mig-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SQLite storage and migrations', () => {
  it('opens with WAL, synchronous=FULL and foreign keys', () => {
    const db = openDatabase(tempDir());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('applies each migration once, records it, and is re-runnable', async () => {
    const dir = tempDir();
    const first = SqliteRepository.open(dir);
    expect(first.migrations.applied).toEqual(MIGRATIONS.map((m) => m.version));
    const rows = first.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await first.close();
    const again = SqliteRepository.open(dir);
    expect(again.migrations.applied).toEqual([]);
    expect(again.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({
      n: MIGRATIONS.length,
    });
    expect(migrate(again.db, MIGRATIONS).applied).toEqual([]);
    await again.close();
  });

  it('rolls back a failing migration entirely', () => {
    const db = openDatabase(tempDir());
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        sql: 'CREATE TABLE half (x INTEGER); SELECT nope FROM nowhere;',
      },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({
      v: MIGRATIONS.length,
    });
    db.close();
  });

  it('refuses a database from a newer or different build', () => {
    const db = openDatabase(tempDir());
    migrate(db, MIGRATIONS);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      99,
      'future',
      0,
    );
    expect(() => migrate(db, MIGRATIONS)).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }),
    );
    db.prepare('DELETE FROM schema_migrations WHERE version = 99').run();
    db.prepare("UPDATE schema_migrations SET name = 'other' WHERE version = 1").run();
    expect(() => migrate(db, MIGRATIONS)).toThrow(/another build/);
    db.close();
  });

  it('enforces foreign keys', () => {
    const repo = SqliteRepository.open(tempDir());
    expect(() =>
      repo.db
        .prepare(
          'INSERT INTO devices (id, node_id, role, name, public_key, status, token_id, enrolled_at) VALUES (?,?,?,?,?,?,?,?)',
        )
        .run('dev_x', 'node_missing', 'kiosk', 'x', 'k', 'active', 'tok_missing', 0),
    ).toThrow(/FOREIGN KEY/);
    repo.db.close();
  });

  it('keeps no simulator table: 0006 drops the sim_* tables an older store had, rows and all', async () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    migrate(db, MIGRATIONS.slice(0, 5));
    const simObjects = () =>
      (
        db
          .prepare("SELECT type, name FROM sqlite_master WHERE name LIKE 'sim\\_%' ESCAPE '\\' ORDER BY name")
          .all() as { type: string; name: string }[]
      ).map((r) => `${r.type}:${r.name}`);
    // A version-5 store, as shipped, with simulator rows in it.
    expect(simObjects()).toEqual(
      expect.arrayContaining(['table:sim_biller_postings', 'table:sim_wallet_outbox']),
    );
    db.prepare(
      "INSERT INTO sim_gateway_ledger (payment_id, op, reference, card_token, amount_fen, at) VALUES ('pay_x', 'capture', 'r', 't', 1, 0)",
    ).run();
    expect(migrate(db, MIGRATIONS).applied).toEqual([6]);
    expect(MIGRATIONS[5]).toMatchObject({ version: 6, name: 'sim-ledgers-out' });
    expect(simObjects()).toEqual([]);
    db.close();

    const fresh = SqliteRepository.open(tempDir());
    const tables = (
      fresh.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(tables).toContain('payments');
    expect(tables.filter((t) => t.startsWith('sim_'))).toEqual([]);
    await fresh.close();
  });
});
