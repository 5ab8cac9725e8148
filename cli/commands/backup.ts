import { resolve } from 'node:path';
import { backupPg } from '../../control-plane/src/backup/pg-backup.js';
import { backupSqlite } from '../../control-plane/src/backup/sqlite-backup.js';
import { type Command, parseFlags, usageError, wantsHelp } from '../command.js';

const HELP = `Usage: linli backup --data DIR --out BACKUP_DIR [--pg URL [--pg-schema NAME]] [--sim-ledger FILE]

Backs up a control plane's store while it runs, with the files a restore needs, into a new folder:
  SQLite (default)  <data>/linli.sqlite through SQLite's online backup API: one consistent state even while
                    the server commits (the copy starts over if a write lands mid-copy)
  PostgreSQL        pg_dump -Fc of the store's schema (one snapshot), as store.pgdump
and, from the data dir, the online keys (keys/) and the TUF roots (tuf/roots/), plus the simulators' ledger
when there is one. Never the offline root keys (<data>-offline-keys): those stay off this machine.
backup.json lists every file with its size and SHA-256; \`linli restore\` checks them all first.

Options:
  --data DIR          the control plane's data dir (default ./data; env LINLI_DATA)
  --out DIR           a new or empty folder for the backup (required)
  --pg URL            back up the PostgreSQL store at URL instead (env LINLI_PG_URL); needs pg_dump
  --pg-schema NAME    the store's schema (default public; env LINLI_PG_SCHEMA)
  --sim-ledger FILE   the simulators' ledger (default <data>/simulators.sqlite; env LINLI_SIM_LEDGER_FILE)
  -h, --help          this text

Prints one JSON line: {"backup": DIR, "engine", "schemaVersion", "files"}.

Examples:
  linli backup --data /var/lib/linli --out /srv/backups/linli-$(date +%F)
  linli backup --pg postgres://linli@db/linli --data /var/lib/linli --out /srv/backups/linli-$(date +%F)
`;

export const command: Command = {
  name: 'backup',
  summary: 'back up the store (SQLite online backup or pg_dump), keys and TUF roots while the server runs',
  help: HELP,
  async run(argv) {
    if (wantsHelp(argv)) {
      process.stdout.write(HELP);
      return 0;
    }
    const parsed = parseFlags('backup', argv, {
      data: { type: 'string' },
      out: { type: 'string' },
      pg: { type: 'string' },
      'pg-schema': { type: 'string' },
      'sim-ledger': { type: 'string' },
    });
    if (typeof parsed === 'number') return parsed;
    const v = parsed.values as Record<string, string | undefined>;
    if (!v.out) return usageError('backup', '--out BACKUP_DIR is required');
    const dataDir = resolve(v.data ?? process.env.LINLI_DATA ?? './data');
    const out = resolve(v.out);
    const url = v.pg ?? process.env.LINLI_PG_URL;
    const simLedgerFile = v['sim-ledger'] ?? process.env.LINLI_SIM_LEDGER_FILE;
    const common = { dataDir, out, ...(simLedgerFile ? { simLedgerFile: resolve(simLedgerFile) } : {}) };
    const m = url
      ? await backupPg({ ...common, url, schema: v['pg-schema'] ?? process.env.LINLI_PG_SCHEMA ?? 'public' })
      : await backupSqlite(common);
    process.stdout.write(
      `${JSON.stringify({ backup: out, engine: m.engine, schemaVersion: m.schemaVersion, files: m.files.length })}\n`,
    );
    return 0;
  },
};
