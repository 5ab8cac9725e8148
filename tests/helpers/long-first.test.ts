import { describe, expect, it } from 'vitest';
import { LONG_FIRST, longFirst } from './long-first.js';

const spec = (p: string) => ({ moduleId: `/repo/${p}` });

describe('long-first test order', () => {
  it('starts the chaos test first and keeps the order of the rest', () => {
    const files = ['a.test.ts', 'tests/system/walking-skeleton.test.ts', LONG_FIRST[0]!, 'b.test.ts'].map(
      spec,
    );
    expect(longFirst(files, '/repo').map((f) => f.moduleId)).toEqual([
      '/repo/tests/system/payments-chaos.test.ts',
      '/repo/a.test.ts',
      '/repo/tests/system/walking-skeleton.test.ts',
      '/repo/b.test.ts',
    ]);
  });

  it('orders several long files as listed, and leaves a run without them alone', () => {
    const files = ['x', 'long-2', 'y', 'long-1'].map(spec);
    expect(longFirst(files, '/repo', ['long-1', 'long-2']).map((f) => f.moduleId)).toEqual(
      ['long-1', 'long-2', 'x', 'y'].map((p) => `/repo/${p}`),
    );
    expect(longFirst(['x', 'y'].map(spec), '/repo')).toEqual(['x', 'y'].map(spec));
  });

  it('names files that exist', async () => {
    const { existsSync } = await import('node:fs');
    for (const f of LONG_FIRST) expect(existsSync(f), f).toBe(true);
  });
});
