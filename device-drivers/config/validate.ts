import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import { TRANSPORT_SCHEMAS } from './schema.js';

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return `${s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s} of type ${Array.isArray(v) ? 'array' : typeof v}`;
}

function fail(what: string, param: string, expected: string, actual: unknown): never {
  throw new DeviceError(
    DeviceErrorCode.INVALID_ARGUMENT,
    `Invalid ${what} config: expected ${expected} for ${param} but received ${describe(actual)}`,
    { param, expected, actual },
  );
}

/**
 * Applies defaults and checks a config against its schema; the first problem is thrown as INVALID_ARGUMENT naming
 * the parameter (`transport.port`), what was expected and what came. The transport is checked against the schema
 * of its own kind so the message is about that kind, not "expected union value".
 */
export function validateConfig<T>(what: string, schema: TSchema, input: unknown): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    fail(what, 'config', 'an object', input);
  const t = (input as { transport?: unknown }).transport;
  if (typeof t !== 'object' || t === null) fail(what, 'transport', 'an object like {kind: "sim"}', t);
  const kind = (t as { kind?: unknown }).kind;
  const tSchema = typeof kind === 'string' ? TRANSPORT_SCHEMAS[kind] : undefined;
  if (!tSchema) fail(what, 'transport.kind', "one of 'sim', 'serial', 'usb', 'tcp'", kind);
  const value = Value.Default(schema, Value.Clone(input)) as Record<string, unknown>;
  value.transport = Value.Default(tSchema, value.transport);
  for (const [s, v, prefix] of [
    [tSchema, value.transport, 'transport'],
    [schema, value, ''],
  ] as const) {
    const err = Value.Errors(s, v).First();
    if (!err) continue;
    const path = (prefix + err.path.replace(/\//g, '.')).replace(/^\./, '') || 'config';
    const expected = err.message.replace(/^Expected /, '');
    fail(what, path, expected, err.value);
  }
  return value as T;
}

/** The same checks for a config without a transport (the device manager's): defaults applied, first problem thrown. */
export function validatePlain<T>(what: string, schema: TSchema, input: unknown): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    fail(what, 'config', 'an object', input);
  const value = Value.Default(schema, Value.Clone(input));
  const err = Value.Errors(schema, value).First();
  if (err) {
    const path = err.path.replace(/\//g, '.').replace(/^\./, '') || 'config';
    fail(what, path, err.message.replace(/^Expected /, ''), err.value);
  }
  return value as T;
}

export { fail as invalidConfig };
