import type pg from 'pg';

/** Anything that runs a query: the pool, or the client of an open transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * A JSON column as the repositories' records want it. Written as text (`JSON.stringify`), so a TEXT column
 * keeps the exact bytes (signed envelopes) and a JSONB column accepts it too; read back from either (JSONB
 * arrives parsed). No value stored here is a bare JSON string, so a string is always the TEXT form.
 */
export function fromPgJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function toPgJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** A 0/1 INTEGER or a BOOLEAN column, read as a boolean. */
export function pgBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}
