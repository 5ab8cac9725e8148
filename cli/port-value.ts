import { ErrorCode, LinliError } from '../protocol/errors.js';

/**
 * A port from a flag or an environment variable, refused with the name the user typed and the value they gave
 * (`LINLI_PORT must be an integer 1–65532 …, got "abc"`), not with what it became after parsing.
 */
export function parsePort(
  raw: string,
  label: string,
  range: { min: number; max: number; note?: string },
): number {
  const n = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (Number.isInteger(n) && n >= range.min && n <= range.max) return n;
  const note = range.note ? ` (${range.note})` : '';
  throw new LinliError(
    ErrorCode.CONFIG_INVALID,
    `${label} must be an integer ${range.min}–${range.max}${note}, got ${JSON.stringify(raw)}`,
    { field: 'port' },
  );
}

/** The first of a flag and an environment variable that is set (an empty variable counts as unset). */
export function fromFlagOrEnv(
  flag: string | boolean | undefined,
  flagName: string,
  envName: string,
  env: NodeJS.ProcessEnv = process.env,
): { raw: string; label: string } | undefined {
  if (typeof flag === 'string') return { raw: flag, label: flagName };
  const v = env[envName];
  return v !== undefined && v !== '' ? { raw: v, label: envName } : undefined;
}
