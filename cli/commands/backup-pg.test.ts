import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  dropSchema,
  freshSchemaName,
  PG_TEST_URL,
  pgShouldRun,
} from '../../control-plane/src/storage/contract/pg-env.js';
import { PgRepository } from '../../control-plane/src/storage/pg/pg-repository.js';
import type { NodeRecord } from '../../control-plane/src/storage/records.js';
import { ErrorCode } from '../../protocol/errors.js';
import { command as backup } from './backup.js';
import { command as restore } from './restore.js';

// Schema level: the full PostgreSQL store (notices, payments) is not on this branch yet, so this backs up a
// migrated schema with rows in it, restores it into an empty database and compares every table.
const runPg = await pgShouldRun('backup and restore');

async function cli(cmd: typeof backup, argv: string[]): Promise<number> {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await cmd.run(argv);
  } finally {
    spy.mockRestore();
  }
}

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Every table of the schema, rows sorted: what a restore must bring back exactly. */
async function contents(url: string, schema: string): Promise<Record<string, unknown[]>> {
  const tables = await sql<{ t: string }>(
    url,
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY 1`,
  );
  const out: Record<string, unknown[]> = {};
  for (const { t } of tables) out[t] = await sql(url, `SELECT * FROM "${schema}"."${t}" ORDER BY 1`);
  return out;
}

describe.skipIf(!runPg)('linli backup / linli restore (PostgreSQL, schema level)', () => {
  const schema = freshSchemaName('linli_backup');
  const db2 = `linli_restore_${randomBytes(4).toString('hex')}`;
  const url2 = (() => {
    const u = new URL(PG_TEST_URL);
    u.pathname = `/${db2}`;
    return u.toString();
  })();
  const root = mkdtempSync(join(tmpdir(), 'linli-pgbackup-'));
  const dataDir = join(root, 'data');
  const city: NodeRecord = {
    id: 'node_01JXBACKUP0000000000000000',
    parentId: null,
    level: 'city',
    name: '邻里市',
    timezone: 'Asia/Shanghai',
    ancestry: ['node_01JXBACKUP0000000000000000'],
    createdAt: 1_765_000_000_000,
  };

  beforeAll(async () => {
    const repo = await PgRepository.open({ url: PG_TEST_URL, schema, max: 2 });
    await repo.nodes.create(city);
    await repo.close();
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    writeFileSync(join(dataDir, 'keys', 'root.pem'), 'key material');
    await sql(PG_TEST_URL, `CREATE DATABASE ${db2}`);
  });
  afterAll(async () => {
    await dropSchema(schema);
    await sql(PG_TEST_URL, `DROP DATABASE IF EXISTS ${db2} WITH (FORCE)`);
    rmSync(root, { recursive: true, force: true });
  });

  it('pg_dump of the schema restores into an empty database with every row; a non-empty one is refused', async () => {
    const out = join(root, 'backup');
    expect(
      await cli(backup, ['--pg', PG_TEST_URL, '--pg-schema', schema, '--data', dataDir, '--out', out]),
    ).toBe(0);

    const into = join(root, 'restored');
    expect(await cli(restore, ['--from', out, '--pg', url2, '--data', into])).toBe(0);
    const original = await contents(PG_TEST_URL, schema);
    expect(Object.keys(original)).toEqual(expect.arrayContaining(['nodes', 'payments', 'notices']));
    expect(original.nodes).toHaveLength(1);
    expect(await contents(url2, schema)).toEqual(original);
    const again = await PgRepository.open({ url: url2, schema, max: 2 });
    expect(again.migrations.applied).toEqual([]); // restored at the same schema version
    expect(await again.nodes.get(city.id)).toEqual(city);
    await again.close();

    // A schema with tables is never restored over, nor is the data dir.
    await expect(
      cli(restore, ['--from', out, '--pg', url2, '--data', join(root, 'other')]),
    ).rejects.toMatchObject({
      code: ErrorCode.RESTORE_TARGET_NOT_EMPTY,
    });
    await expect(
      cli(restore, ['--from', out, '--pg', url2, '--pg-schema', 'linli_renamed', '--data', into]),
    ).rejects.toMatchObject({ code: ErrorCode.RESTORE_TARGET_NOT_EMPTY });

    // Under another name: restored under the original one, then renamed.
    await sql(url2, `DROP SCHEMA ${schema} CASCADE`);
    expect(
      await cli(restore, [
        '--from',
        out,
        '--pg',
        url2,
        '--pg-schema',
        'linli_renamed',
        '--data',
        join(root, 'r2'),
      ]),
    ).toBe(0);
    const renamed = await PgRepository.open({ url: url2, schema: 'linli_renamed', max: 2 });
    expect(await renamed.nodes.get(city.id)).toEqual(city);
    await renamed.close();
  });
});
