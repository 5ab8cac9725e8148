import { parseArgs } from 'node:util';

/** A `linli` subcommand. `run` returns the process exit code; long-running commands resolve on shutdown. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full `--help` text: usage, options with defaults, environment variables, examples. */
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

/** Prints `--help` when asked; commands call this first. */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

export type FlagValues = Record<string, string | boolean | undefined>;
type FlagOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Prints a usage error for `linli <name>` and returns the usage exit code (2). */
export function usageError(name: string, message: string): number {
  process.stderr.write(`linli ${name}: ${message}\nRun \`linli ${name} --help\`.\n`);
  return 2;
}

/** Parses `--flags` strictly (no positionals); on a bad flag prints the usage error and returns its exit code. */
export function parseFlags(
  name: string,
  argv: string[],
  options: FlagOptions,
): { values: FlagValues } | number {
  try {
    const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options });
    return { values: values as FlagValues };
  } catch (err) {
    return usageError(name, (err as Error).message);
  }
}
