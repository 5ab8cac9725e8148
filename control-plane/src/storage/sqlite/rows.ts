/** Helpers shared by the SQLite repositories: JSON columns and the ancestry path encoding. */

export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** ['a','b'] ↔ '/a/b/': a node's subtree is every ancestry that starts with its own. */
export function encodeAncestry(ids: readonly string[]): string {
  return `/${ids.join('/')}/`;
}

export function decodeAncestry(text: string): string[] {
  return text.split('/').filter((s) => s.length > 0);
}

/** GLOB, not LIKE: `_` in ids is a LIKE wildcard, and ids never contain GLOB's `*?[`. */
export function subtreeGlob(ancestry: string): string {
  return `${ancestry}*`;
}

export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}
