import { newId } from '../../../protocol/ids.js';
import { generatePassword, hashPassword } from '../crypto/secrets.js';
import type { Repository } from '../storage/repository.js';
import { DEFAULT_TIMEZONE } from './hierarchy.js';

export const FIRST_ADMIN = 'admin';

export interface FirstStartResult {
  createdRoot: boolean;
  /** Set only when the admin was created just now: the one time the password exists in clear. */
  adminPassword?: string;
}

/** The line the demo and operators look for; the password is never printed again. */
export function firstStartLine(password: string): string {
  return `First start: created admin "${FIRST_ADMIN}" with password: ${password} (shown once; only its hash is stored)`;
}

/**
 * On an empty database: the root node (the city) and an admin scoped to it with a random password. There is
 * no default password; a lost one is replaced with `--reset-admin-password`.
 */
export async function ensureFirstStart(
  repo: Repository,
  cityName: string,
  now: () => number,
): Promise<FirstStartResult> {
  const result: FirstStartResult = { createdRoot: false };
  let rootId: string | undefined;
  if ((await repo.nodes.count()) === 0) {
    const id = newId('node', now());
    await repo.nodes.create({
      id,
      parentId: null,
      level: 'city',
      name: cityName,
      timezone: DEFAULT_TIMEZONE,
      ancestry: [id],
      createdAt: now(),
    });
    result.createdRoot = true;
    rootId = id;
  }
  if ((await repo.admins.count()) === 0) {
    rootId ??= await findRootId(repo);
    const password = generatePassword();
    await repo.admins.create({
      id: newId('adm', now()),
      username: FIRST_ADMIN,
      passwordHash: await hashPassword(password),
      role: 'admin',
      nodeId: rootId,
      createdAt: now(),
    });
    result.adminPassword = password;
  }
  return result;
}

async function findRootId(repo: Repository): Promise<string> {
  const root = (await repo.nodes.listRoots())[0];
  if (!root) throw new Error('internal: the hierarchy has nodes but no root');
  return root.id;
}
