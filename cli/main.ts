import { ErrorCode, LinliError } from '../protocol/errors.js';
import type { Command } from './command.js';

/** Subcommands load lazily so `linli device` never loads control-plane code and vice versa. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  'control-plane': {
    summary: 'run the control plane (admin and device APIs, WebSocket hub, embedded storage)',
    load: async () => (await import('./commands/control-plane.js')).command,
  },
  enroll: {
    summary: 'enroll this device with a control plane using an enrollment token',
    load: async () => (await import('./commands/enroll.js')).command,
  },
  device: {
    summary: 'run the device runtime (kiosk, lobby screen or LED sign) from an enrolled state dir',
    load: async () => (await import('./commands/device.js')).command,
  },
  keys: {
    summary: 'create and rotate the offline TUF root keys for signed notices',
    load: async () => (await import('./commands/keys.js')).command,
  },
  notice: {
    summary: 'draft, approve, publish, put up emergencies and read proof of play (admin API)',
    load: async () => (await import('./commands/notice.js')).command,
  },
  backup: {
    summary: 'back up the store (SQLite online backup or pg_dump), keys and TUF roots while the server runs',
    load: async () => (await import('./commands/backup.js')).command,
  },
  restore: {
    summary: 'restore a `linli backup` into an empty data dir (and empty PostgreSQL schema)',
    load: async () => (await import('./commands/restore.js')).command,
  },
  demo: {
    summary: 'start a control plane, enroll a kiosk, a lobby screen and an LED sign, and publish a notice',
    load: async () => (await import('./commands/demo.js')).command,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    'Linli (邻里): kiosks, lobby screens and LED signs for residential communities',
    '',
    'Usage: linli <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `linli <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 1;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`linli: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}

const FOLDER_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EISDIR']);
const argvCommand = (): string => process.argv[2] ?? '';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const fsErr = err as NodeJS.ErrnoException;
    if (err instanceof LinliError) {
      process.stderr.write(`linli: ${err.code}: ${err.message}\n`);
      process.exitCode = 1;
    } else if (fsErr?.path && fsErr.code && FOLDER_ERRORS.has(fsErr.code)) {
      // A folder that is not writable is the user's to fix, not a bug: say which, without a stack trace.
      process.stderr.write(
        `linli: ${ErrorCode.DATA_DIR_UNWRITABLE}: cannot ${fsErr.syscall ?? 'write'} ${fsErr.path} (${fsErr.code}); check the owner, permissions and free space of that folder, or choose another one (see \`linli ${argvCommand()} --help\`)\n`,
      );
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `linli: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 70;
    }
  },
);
