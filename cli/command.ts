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
