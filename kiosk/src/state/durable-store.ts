import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonAdapter, type DurableJsonAdapterOptions } from './durable-json-adapter.js';

/**
 * Opens a lowdb database on a durable adapter and reads it. The defaults are cloned so mutating the data
 * never mutates the caller's default object.
 */
export async function openDurableStore<T>(
  file: string,
  defaults: T,
  options: DurableJsonAdapterOptions,
): Promise<Low<T>> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Low<T>(new DurableJsonAdapter<T>(file, options), structuredClone(defaults));
  await db.read();
  return db;
}
