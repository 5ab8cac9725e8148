import { ErrorCode, LinliError } from '../protocol/errors.js';
import type { Command } from './command.js';

/** A subcommand, loaded only when it runs, so `linli device` never loads control-plane code and vice versa. */
export type CommandTable = Record<string, { summary: string; load: () => Promise<Command> }>;

function usage(commands: CommandTable): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
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

async function main(commands: CommandTable, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage(commands)}\n`);
    return name ? 0 : 1;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`linli: unknown command "${name}"\n\n${usage(commands)}\n`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}

const FOLDER_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'EISDIR']);
const argvCommand = (): string => process.argv[2] ?? '';

/** Runs `linli <command>` from process.argv and sets the exit code; shared by the full CLI and the device bundle. */
export function runCli(commands: CommandTable): void {
  main(commands, process.argv.slice(2)).then(
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
}
