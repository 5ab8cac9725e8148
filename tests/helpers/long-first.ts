import { relative } from 'node:path';

/**
 * Test files that run for minutes, started before everything else. Vitest's own order (failed first, then
 * longest first by its cache, else largest file first) put the chaos test (~450 s, a 44-line file) last in a
 * fresh checkout, so it ran alone at the end with one of the two workers idle. Started first, it overlaps the
 * rest of the suite.
 */
export const LONG_FIRST: readonly string[] = [
  'tests/system/payments-chaos.test.ts',
  'tests/system/two-instances.test.ts',
];

/** `files` in the order given, except that those named in `first` (paths from `root`) come first, in that order. */
export function longFirst<T extends { moduleId: string }>(
  files: readonly T[],
  root: string,
  first: readonly string[] = LONG_FIRST,
): T[] {
  const rank = (f: T): number => {
    const i = first.indexOf(relative(root, f.moduleId).split('\\').join('/'));
    return i < 0 ? first.length : i;
  };
  // Array.prototype.sort is stable: the rest keeps vitest's order.
  return [...files].sort((a, b) => rank(a) - rank(b));
}
