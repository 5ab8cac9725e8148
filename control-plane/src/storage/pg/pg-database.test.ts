import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/errors.js';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from '../contract/pg-env.js';
import { PgDatabase } from './pg-database.js';

const runPg = await pgShouldRun('PgDatabase');

describe.skipIf(!runPg)('PgDatabase', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it('opens the same new schema from many handles at once (instances starting together)', async () => {
    const schema = freshSchemaName('linli_db');
    schemas.push(schema);
    const opened = await Promise.allSettled(
      Array.from({ length: 8 }, () => PgDatabase.open({ url: PG_TEST_URL, schema, max: 1 })),
    );
    const failures = opened.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    for (const r of opened) if (r.status === 'fulfilled') await r.value.close();
    expect(failures).toEqual([]);
  });

  it('refuses an unsafe schema name and names an unreachable server without its password', async () => {
    await expect(PgDatabase.open({ url: PG_TEST_URL, schema: 'x; DROP TABLE y' })).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
    });
    const err = await PgDatabase.open({ url: 'postgres://u:pw-1234@127.0.0.1:1/none' }).catch(
      (e: Error) => e,
    );
    expect(err).toMatchObject({ code: ErrorCode.CONFIG_INVALID });
    expect(String((err as Error).message)).not.toContain('pw-1234');
    expect(String((err as Error).message)).toContain('postgres://u:***@127.0.0.1:1/none');
  });

  it('returns BIGINT and COUNT as numbers', async () => {
    const schema = freshSchemaName('linli_db');
    schemas.push(schema);
    const db = await PgDatabase.open({ url: PG_TEST_URL, schema, max: 1 });
    try {
      const { rows } = await db.query(
        'SELECT 1796690326048::bigint AS t, COUNT(*) AS n FROM pg_class WHERE false',
      );
      expect(rows[0]).toEqual({ t: 1796690326048, n: 0 });
    } finally {
      await db.close();
    }
  });
});
