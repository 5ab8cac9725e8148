import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { ErrorCode, LinliError } from './errors.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker<T extends TSchema>(schema: T): TypeCheck<T> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c as TypeCheck<T>;
}

export function isValid<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return checker(schema).Check(value);
}

/** Validates a value against a schema; the error names the first offending path and what was expected. */
export function validate<T extends TSchema>(schema: T, value: unknown, what = 'value'): Static<T> {
  const c = checker(schema);
  if (c.Check(value)) return value;
  const first = c.Errors(value).First();
  const path = first?.path || '/';
  throw new LinliError(
    ErrorCode.PAYLOAD_SCHEMA,
    `${what} is invalid at ${path}: ${first?.message ?? 'does not match its schema'}`,
    { path },
  );
}
