import type { Migration } from '../migrate.js';
import { migration0001 } from './0001-initial.js';

/** Every migration, in order. Append only: a shipped migration never changes (its name is checked). */
export const MIGRATIONS: readonly Migration[] = [migration0001];
