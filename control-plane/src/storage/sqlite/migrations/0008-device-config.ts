import type { Migration } from '../migrate.js';

/**
 * PLACEHOLDER on the `commands` branch only: version 8 belongs to the device-config workstream, whose file of
 * the same name replaces this one at merge (take theirs). It exists so that 0009 is contiguous here.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'device-config',
  sql: 'SELECT 1;',
};
