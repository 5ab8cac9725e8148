import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import type { NodeView } from '../../../../protocol/schemas/admin.js';
import { LinliProcess } from '../../../../tests/helpers/processes.js';
import { createHarness } from '../../testing/harness.js';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from '../contract/pg-env.js';

const runPg = await pgShouldRun('serving the control plane from PostgreSQL');

/** The control plane configured with `pg` keeps its data in PostgreSQL, not in the data dir. */
describe.skipIf(!runPg)('the control plane on PostgreSQL', () => {
  const schemas: string[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates a node through the admin API into a PostgreSQL row, and reads it back', async () => {
    const schema = freshSchemaName('linli_serve');
    schemas.push(schema);
    const h = await createHarness({ config: { pg: PG_TEST_URL, pgSchema: schema } });
    try {
      expect(h.app.repo.engine).toBe('postgres');
      const { street, community } = await h.community('幸福里');
      const read = await h.admin({ method: 'GET', url: `${API.nodes}?parentId=${street.id}` });
      expect(read.statusCode).toBe(200);
      expect((read.json() as { nodes: NodeView[] }).nodes.map((n) => [n.id, n.name])).toEqual([
        [community.id, '幸福里社区'],
      ]);

      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT name, level FROM ${schema}.nodes WHERE id = $1`, [
          community.id,
        ]);
        expect(rows).toEqual([{ name: '幸福里社区', level: 'community' }]);
        // The first start's admin and its login session are PostgreSQL rows too.
        const sessions = await client.query(`SELECT COUNT(*)::int AS n FROM ${schema}.admin_sessions`);
        expect(sessions.rows[0].n).toBe(1);
      } finally {
        await client.end();
      }
      // …and the data dir holds no SQLite database.
      expect(readdirSync(h.dataDir).filter((f) => f.startsWith('linli.sqlite'))).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('`linli control-plane --pg URL` starts, /healthz reports postgres, and the password is never logged', async () => {
    const schema = freshSchemaName('linli_serve');
    schemas.push(schema);
    const dataDir = mkdtempSync(join(tmpdir(), 'linli-pg-serve-'));
    dirs.push(dataDir, `${dataDir}-offline-keys`);
    // With trust auth (the test server) a password in the URL is ignored by the server, so one can be put
    // in to check that no log line carries it.
    const url = new URL(PG_TEST_URL);
    if (!url.password) url.password = 'not-a-real-secret-8d1f';
    const cp = new LinliProcess('control-plane', [
      'control-plane',
      '--data',
      dataDir,
      '--port',
      '0',
      '--log-level',
      'info',
      '--pg',
      url.toString(),
      '--pg-schema',
      schema,
    ]);
    try {
      const base = (await cp.waitFor(/Control plane listening on (http:\/\/\S+)/, 60_000))[1]!;
      const health = await fetch(`${base}${API.healthz}`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, storage: { engine: 'postgres', ok: true } });
      expect(cp.output).toMatch(/"engine":"postgres".*"msg":"database migrated"/);
      expect(cp.output).not.toContain(decodeURIComponent(url.password));
      expect(readdirSync(dataDir).filter((f) => f.startsWith('linli.sqlite'))).toEqual([]);
    } finally {
      expect(await cp.stop()).toBe(0);
    }
  }, 90_000);
});
