import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { redact } from '../pg/pg-database.js';
import { PgRepository } from '../pg/pg-repository.js';
import type { Repository } from '../repository.js';
import { SqliteRepository } from '../sqlite/sqlite-repository.js';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from './pg-env.js';

/**
 * The storage contract harness: one suite, run once per engine. Each `open()` gives a fresh, migrated,
 * empty store (its own temp dir, or its own PostgreSQL schema); everything opened is closed and removed
 * after that engine's describe. PostgreSQL is skipped, with a note, when unreachable outside CI, and is
 * required with CI=true (pg-env.ts).
 */
export type Engine = 'sqlite' | 'postgres';

/** Enough to open the same store again, from this process or another one (a worker's argv). */
export type StoreLocation =
  | { engine: 'sqlite'; dataDir: string }
  | { engine: 'postgres'; url: string; schema: string };

export type OpenStore = () => Promise<Repository>;

const runPg = await pgShouldRun('the storage contract suite');
const locations = new WeakMap<Repository, StoreLocation>();

/** Opens a (second) handle on an existing store. */
export async function openAt(loc: StoreLocation): Promise<Repository> {
  if (loc.engine === 'sqlite') return SqliteRepository.open(loc.dataDir);
  return PgRepository.open({ url: loc.url, schema: loc.schema, max: 4 });
}

/** Where a store opened by the harness lives. */
export function locationOf(repo: Repository): StoreLocation {
  const loc = locations.get(repo);
  if (!loc) throw new Error('locationOf: this repository was not opened by the store harness');
  return loc;
}

/** Runs `body` inside a describe per engine: `describe('sqlite', …)` and `describe('postgres', …)`. */
export function forEachStore(body: (open: OpenStore, engine: Engine) => void): void {
  for (const engine of ['sqlite', 'postgres'] as const) {
    const skip = engine === 'postgres' && !runPg;
    describe.skipIf(skip)(engine === 'postgres' ? `postgres (${redact(PG_TEST_URL)})` : 'sqlite', () => {
      const cleanups: (() => Promise<void>)[] = [];
      const open: OpenStore = async () => {
        let loc: StoreLocation;
        if (engine === 'sqlite') {
          const dataDir = mkdtempSync(join(tmpdir(), 'linli-store-'));
          cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
          loc = { engine, dataDir };
        } else {
          const schema = freshSchemaName('linli_contract');
          cleanups.push(() => dropSchema(schema));
          loc = { engine, url: PG_TEST_URL, schema };
        }
        const repo = await openAt(loc);
        cleanups.push(() => repo.close());
        locations.set(repo, loc);
        return repo;
      };
      afterAll(async () => {
        // Newest first: close the handles before removing what they point at.
        for (const c of cleanups.splice(0).reverse()) await c();
      });
      body(open, engine);
    });
  }
}
