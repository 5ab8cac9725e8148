import { beforeEach } from 'vitest';
import type { Repository } from '../repository.js';
import type { OpenStore } from './stores.js';

/**
 * A fresh, empty store for every test of the enclosing describe (the payment-side suites count and list
 * across the whole store, so tests must not see each other's rows). Declare it before other beforeEach
 * hooks that use it: hooks run in declaration order.
 */
export function storePerTest(open: OpenStore): () => Repository {
  let repo: Repository | undefined;
  beforeEach(async () => {
    repo = await open();
  });
  return () => {
    if (!repo) throw new Error('storePerTest: no store yet (used outside a test?)');
    return repo;
  };
}
