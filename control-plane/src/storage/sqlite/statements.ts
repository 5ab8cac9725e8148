import type { Database, Statement } from 'better-sqlite3';

/**
 * Prepared statements, once per connection. better-sqlite3's `prepare` parses and plans the SQL on every call
 * (14 % of an admin GET's CPU in the issue-11 profile); repositories ask here instead, keyed by the SQL text.
 * Statements whose text depends on a list's length (`IN (?, ?, …)`) are cached per length; the cap bounds
 * that in case a caller passes lists of many lengths. No caller may switch a cached statement's mode
 * (`pluck`, `raw`, `expand`): another caller of the same text would get it.
 */
const CAP = 512;
const caches = new WeakMap<Database, Map<string, Statement>>();

export function prepared(db: Database, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let st = cache.get(sql);
  if (!st) {
    if (cache.size >= CAP) cache.delete(cache.keys().next().value!);
    st = db.prepare(sql);
    cache.set(sql, st);
  }
  return st;
}
