/**
 * TEMPORARY (until the shared harness lands): one describe per engine with a fresh store per test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe } from 'vitest';
import { PG_MIGRATIONS } from '../pg/migrations/index.js';
import { PgBills, PgReceipts } from '../pg/pg-bills.js';
import { PgCards } from '../pg/pg-cards.js';
import { PgDatabase } from '../pg/pg-database.js';
import { migratePg } from '../pg/pg-migrate.js';
import { PgPayments } from '../pg/pg-payments.js';
import { PgRefunds } from '../pg/pg-refunds.js';
import { PgReprints, PgWalletEvents } from '../pg/pg-reprints.js';
import type { Repository } from '../repository.js';
import { SqliteRepository } from '../sqlite/sqlite-repository.js';
import { dropSchema, freshSchemaName, PG_TEST_URL, pgShouldRun } from './pg-env.js';

export type PayRepo = Pick<
  Repository,
  | 'engine'
  | 'nodes'
  | 'admins'
  | 'tokens'
  | 'bills'
  | 'payments'
  | 'receipts'
  | 'refunds'
  | 'cards'
  | 'reprints'
  | 'walletEvents'
  | 'close'
>;

export interface StoreCtx {
  repo: PayRepo;
  /** How a worker process opens the same store: ['sqlite', dataDir] or ['pg', url, schema]. */
  where: string[];
}

const pgRun = await pgShouldRun('payment contract');

export function describeStores(title: string, body: (ctx: () => StoreCtx) => void): void {
  describe(`${title} [sqlite]`, () => {
    let ctx: StoreCtx;
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'linli-pay-'));
      ctx = { repo: SqliteRepository.open(dir), where: ['sqlite', dir] };
    });
    afterEach(async () => {
      await ctx.repo.close();
      rmSync(dir, { recursive: true, force: true });
    });
    body(() => ctx);
  });
  describe.skipIf(!pgRun)(`${title} [pg]`, () => {
    let ctx: StoreCtx;
    let schema: string;
    beforeEach(async () => {
      schema = freshSchemaName();
      const db = await PgDatabase.open({ url: PG_TEST_URL, schema });
      await migratePg(db, PG_MIGRATIONS);
      ctx = { repo: pgShim(db), where: ['pg', PG_TEST_URL, schema] };
    });
    afterEach(async () => {
      await ctx.repo.close();
      await dropSchema(schema);
    });
    body(() => ctx);
  });
}

function pgShim(db: PgDatabase): PayRepo {
  return {
    engine: 'pg',
    nodes: {
      async create(n) {
        await db.query(
          'INSERT INTO nodes (id, parent_id, level, name, timezone, ancestry, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)',
          [n.id, n.parentId, n.level, n.name, n.timezone, `/${n.ancestry.join('/')}/`, n.createdAt],
        );
      },
    } satisfies Pick<PayRepo['nodes'], 'create'> as unknown as PayRepo['nodes'],
    admins: {
      async create(a) {
        await db.query(
          'INSERT INTO admins (id, username, password_hash, role, node_id, created_at) VALUES ($1,$2,$3,$4,$5,$6)',
          [a.id, a.username, a.passwordHash, a.role, a.nodeId, a.createdAt],
        );
      },
    } satisfies Pick<PayRepo['admins'], 'create'> as unknown as PayRepo['admins'],
    tokens: {
      async create(t) {
        await db.query(
          `INSERT INTO enrollment_tokens (id, secret_hash, node_id, role, max_uses, uses, expires_at, revoked_at, tags, created_by, created_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
          [
            t.id,
            t.secretHash,
            t.nodeId,
            t.role,
            t.maxUses,
            t.uses,
            t.expiresAt,
            t.revokedAt,
            '[]',
            t.createdBy,
            t.createdAt,
          ],
        );
      },
      async consumeAndCreateDevice(tokenId, d) {
        await db.query(
          `INSERT INTO devices (id, node_id, role, name, public_key, status, tags, hardware, token_id, enrolled_at)
           VALUES ($1,$2,$3,$4,$5,$6,'[]',NULL,$7,$8)`,
          [d.id, d.nodeId, d.role, d.name, d.publicKey, d.status, tokenId, d.enrolledAt],
        );
        return { ok: true, device: d };
      },
    } satisfies Pick<PayRepo['tokens'], 'create' | 'consumeAndCreateDevice'> as unknown as PayRepo['tokens'],
    bills: new PgBills(db),
    payments: new PgPayments(db),
    receipts: new PgReceipts(db),
    refunds: new PgRefunds(db),
    cards: new PgCards(db),
    reprints: new PgReprints(db),
    walletEvents: new PgWalletEvents(db),
    close: () => db.close(),
  };
}
