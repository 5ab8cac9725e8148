import type { Migration } from '../migrate.js';
import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-signage.js';
import { migration0003 } from './0003-payments.js';
import { migration0004 } from './0004-services.js';
import { migration0005 } from './0005-admin-idempotency.js';
import { migration0006 } from './0006-sim-ledgers-out.js';
import { migration0007 } from './0007-cluster.js';
import { migration0008 } from './0008-device-config.js';
import { migration0009 } from './0009-commands.js';
import { migration0010 } from './0010-health-alerts.js';
import { migration0011 } from './0011-webhooks.js';
import { migration0012 } from './0012-device-sessions.js';
import { migration0013 } from './0013-token-tags.js';

/** Every migration, in order. Append only: a shipped migration never changes (its name is checked). */
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
];
