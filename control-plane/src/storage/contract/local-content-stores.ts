// TEMPORARY stand-in for pg-core's stores.ts harness (removed once it lands): SQLite as a full repository,
// PostgreSQL as a fresh schema holding only the content tables (SQLite DDL translated, no foreign keys).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../../../protocol/ids.js';
import { type ContentWorld, seedWorld } from '../../testing/content-fixtures.js';
import { PgAppointments } from '../pg/pg-appointments.js';
import { PgDatabase } from '../pg/pg-database.js';
import { PgNotices } from '../pg/pg-notices.js';
import { PgServices } from '../pg/pg-services.js';
import { PgMedia, PgPlays, PgTufViews } from '../pg/pg-signage.js';
import type { Repository } from '../repository.js';
import { migration0002 } from '../sqlite/migrations/0002-signage.js';
import { migration0004 } from '../sqlite/migrations/0004-services.js';
import { SqliteRepository } from '../sqlite/sqlite-repository.js';

export type ContentRepo = Pick<
  Repository,
  'notices' | 'media' | 'tufViews' | 'plays' | 'services' | 'appointments'
>;

export interface LocalStore {
  repo: ContentRepo;
  seed(): Promise<ContentWorld>;
  /** How a worker process opens the same store: ['sqlite', dir] or ['pg', url, schema]. */
  address: string[];
  close(): Promise<void>;
}

export const PG_URL = process.env.LINLI_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

export function pgDdl(): string {
  return [migration0002.sql, migration0004.sql]
    .join('\n')
    .replace(/DROP TABLE IF EXISTS \w+;/g, '')
    .replace(/INTEGER PRIMARY KEY AUTOINCREMENT/g, 'BIGSERIAL PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\bBLOB\b/g, 'BYTEA')
    .replace(/REFERENCES \w+\(id\)( ON DELETE CASCADE)?/g, '');
}

export function pgContent(db: PgDatabase): ContentRepo {
  return {
    notices: new PgNotices(db),
    media: new PgMedia(db),
    tufViews: new PgTufViews(db),
    plays: new PgPlays(db),
    services: new PgServices(db),
    appointments: new PgAppointments(db),
  };
}

export async function openSqlite(): Promise<LocalStore> {
  const dir = mkdtempSync(join(tmpdir(), 'linli-contract-'));
  const repo = SqliteRepository.open(dir);
  return {
    repo,
    seed: () => seedWorld(repo),
    address: ['sqlite', dir],
    async close() {
      await repo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openPg(): Promise<LocalStore> {
  const schema = `t_content_${randomBytes(6).toString('hex')}`;
  const db = await PgDatabase.open({ url: PG_URL, schema });
  await db.query(pgDdl());
  return {
    repo: pgContent(db),
    seed: async () => ({
      nodeId: newId('node'),
      otherNodeId: newId('node'),
      adminId: newId('adm'),
      deviceId: newId('dev'),
    }),
    address: ['pg', PG_URL, schema],
    async close() {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}

export const LOCAL_STORES = [
  { engine: 'sqlite', open: openSqlite },
  { engine: 'pg', open: openPg },
] as const;
