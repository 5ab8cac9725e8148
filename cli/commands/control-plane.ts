import { type ControlPlaneConfig, describeConfig, loadConfig } from '../../control-plane/src/config.js';
import { ControlPlane } from '../../control-plane/src/server.js';
import { AdminAuthService } from '../../control-plane/src/services/admin-auth.js';
import { FIRST_ADMIN } from '../../control-plane/src/services/first-start.js';
import { checkWritableDir } from '../../control-plane/src/startup-checks.js';
import { openRepository } from '../../control-plane/src/storage/open-repository.js';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import { type Command, parseFlags, wantsHelp } from '../command.js';

const HELP = `Usage: linli control-plane [options]

Runs the Linli control plane: the admin API, device enrollment, the device API and WebSocket channel,
SQLite storage (or PostgreSQL with --pg) and the simulated billers and payment gateway. Runs until SIGINT or SIGTERM, then
closes cleanly (in-flight requests finish, devices are told to reconnect later).

Options:
  --data DIR                data directory: database and keys/ (default ./data; env LINLI_DATA)
  --pg URL                  keep the data in PostgreSQL instead of SQLite, e.g. postgres://linli@db/linli
                            (env LINLI_PG_URL; keys/ stay in --data); several instances may share it
  --pg-schema NAME          PostgreSQL schema for the tables (default public; env LINLI_PG_SCHEMA)
  --port N                  TCP port, 0 for any free one (default 8080; env LINLI_PORT)
  --host H                  address to listen on (default 127.0.0.1; env LINLI_HOST)
  --public-url URL          URL residents reach this server at, printed in receipt QR codes
                            (default http://<host>:<port>; env LINLI_PUBLIC_URL)
  --log-level LEVEL         fatal|error|warn|info|debug|trace|silent (default info; env LINLI_LOG_LEVEL)
  --reset-admin-password    give the admin "${FIRST_ADMIN}" a new random password, print it once, and exit
  -h, --help                this text

Flags override environment variables, which override defaults.

First start: creates the city node, the signing keys in <data>/keys/ (0600), a TUF root for signed notices
if \`linli keys init\` did not make one (with ONE offline root key in <data>-offline-keys, beside the data
dir, never inside it; production runs \`linli keys init\` and sets LINLI_AUTO_INIT_KEYS=false) and the admin "${FIRST_ADMIN}", whose random
password is printed once on stdout:
  First start: created admin "${FIRST_ADMIN}" with password: <password> (shown once; only its hash is stored)
When listening, stdout says:
  Control plane listening on http://127.0.0.1:8080
Logs (JSON, pino) go to stderr. The admin console is served at /console, the API docs at /docs.

All settings (from the config schema):
${describeConfig()}

Examples:
  linli control-plane --data ./data --port 8080
  linli control-plane --data ./data --pg postgres://linli@127.0.0.1:5432/linli
  LINLI_DATA=/var/lib/linli linli control-plane --host 0.0.0.0 --public-url https://linli.example.org
  linli control-plane --data ./data --reset-admin-password
`;

export const command: Command = {
  name: 'control-plane',
  summary: 'run the control plane (admin and device APIs, WebSocket hub, embedded storage)',
  help: HELP,
  async run(argv: string[]): Promise<number> {
    if (wantsHelp(argv)) {
      process.stdout.write(HELP);
      return 0;
    }
    const parsed = parseFlags('control-plane', argv, {
      data: { type: 'string' },
      pg: { type: 'string' },
      'pg-schema': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'log-level': { type: 'string' },
      'reset-admin-password': { type: 'boolean' },
    });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const config = loadConfig(
      {
        dataDir: values.data,
        pg: values.pg,
        pgSchema: values['pg-schema'],
        port: values.port,
        host: values.host,
        publicUrl: values['public-url'],
        logLevel: values['log-level'],
      },
      process.env,
      true,
    );
    if (values['reset-admin-password']) return resetAdminPassword(config);

    // Handlers go in before anything is announced: a signal right after the URL line must still stop cleanly.
    const signalled = untilSignal();
    const server = new ControlPlane({ config });
    const url = await server.start();
    process.stdout.write(`Control plane listening on ${url}\n`);
    process.stdout.write(`Admin console: ${url}/console\nAdmin API docs: ${url}/docs\n`);
    await signalled;
    await server.stop();
    return 0;
  },
};

async function resetAdminPassword(config: ControlPlaneConfig): Promise<number> {
  if (!config.pg)
    checkWritableDir(config.dataDir, 'data dir', 'pass another folder with --data / LINLI_DATA');
  const { repo, summary } = await openRepository(config);
  try {
    if ((await repo.admins.count()) === 0) {
      throw new LinliError(
        ErrorCode.NOT_FOUND,
        `no admin in ${summary.at} yet; start the control plane once and it creates "${FIRST_ADMIN}" with a password`,
        { field: config.pg ? 'pg' : 'dataDir' },
      );
    }
    const password = await new AdminAuthService(repo, Date.now, 3600).resetPassword(FIRST_ADMIN);
    process.stdout.write(
      `Reset: admin "${FIRST_ADMIN}" now has password: ${password} (shown once; only its hash is stored; old sessions ended)\n`,
    );
    return 0;
  } finally {
    await repo.close();
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one while shutting down exits at once. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.stderr.write(`linli control-plane: ${signal}, shutting down\n`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = (): void => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
