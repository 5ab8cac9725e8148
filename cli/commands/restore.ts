import { resolve } from 'node:path';
import { restorePg } from '../../control-plane/src/backup/pg-backup.js';
import { restoreSqlite } from '../../control-plane/src/backup/sqlite-backup.js';
import { type Command, parseFlags, usageError, wantsHelp } from '../command.js';

const HELP = `Usage: linli restore --from BACKUP_DIR --data DIR [--pg URL [--pg-schema NAME]] [--sim-ledger FILE]

Restores a backup written by \`linli backup\` into an EMPTY store and data dir, then exits; start the
control plane on that data dir (and URL) afterwards. Every file is checked against backup.json (size and
SHA-256) before anything is written. A restore never overwrites: a data dir holding a store, keys or TUF
roots, or a PostgreSQL schema with tables, is refused with LINLI_ERR_RESTORE_TARGET_NOT_EMPTY.

  SQLite backup       copies linli.sqlite, keys/ and tuf/roots/ into --data
  PostgreSQL backup   pg_restore of store.pgdump in one transaction into --pg URL (an empty database, or one
                      where neither the backed-up schema nor --pg-schema exists or has tables; under another
                      name the schema is renamed after the restore), then keys/ and tuf/roots/ into --data

Options:
  --from DIR          the backup folder (required)
  --data DIR          the new data dir (default ./data; env LINLI_DATA)
  --pg URL            the PostgreSQL server for a PostgreSQL backup (env LINLI_PG_URL); needs pg_restore
  --pg-schema NAME    the schema to restore into (default: the one backed up; env LINLI_PG_SCHEMA)
  --sim-ledger FILE   where the simulators' ledger goes, if the backup has one (default <data>/simulators.sqlite)
  -h, --help          this text

Examples:
  linli restore --from /srv/backups/linli-2026-12-08 --data /var/lib/linli-restored
  linli restore --from /srv/backups/linli-2026-12-08 --pg postgres://linli@db/linli_new --data /var/lib/linli
`;

export const command: Command = {
  name: 'restore',
  summary: 'restore a `linli backup` into an empty data dir (and empty PostgreSQL schema)',
  help: HELP,
  async run(argv) {
    if (wantsHelp(argv)) {
      process.stdout.write(HELP);
      return 0;
    }
    const parsed = parseFlags('restore', argv, {
      from: { type: 'string' },
      data: { type: 'string' },
      pg: { type: 'string' },
      'pg-schema': { type: 'string' },
      'sim-ledger': { type: 'string' },
    });
    if (typeof parsed === 'number') return parsed;
    const v = parsed.values as Record<string, string | undefined>;
    if (!v.from) return usageError('restore', '--from BACKUP_DIR is required');
    const from = resolve(v.from);
    const dataDir = resolve(v.data ?? process.env.LINLI_DATA ?? './data');
    const url = v.pg ?? process.env.LINLI_PG_URL;
    const schema = v['pg-schema'] ?? process.env.LINLI_PG_SCHEMA;
    const simLedgerFile = v['sim-ledger'] ?? process.env.LINLI_SIM_LEDGER_FILE;
    const common = { from, dataDir, ...(simLedgerFile ? { simLedgerFile: resolve(simLedgerFile) } : {}) };
    const m = url
      ? await restorePg({ ...common, url, ...(schema ? { schema } : {}) })
      : await restoreSqlite(common);
    process.stdout.write(
      `${JSON.stringify({ restored: from, into: dataDir, engine: m.engine, schemaVersion: m.schemaVersion })}\n`,
    );
    return 0;
  },
};
