import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type { AdminView, CreateAdminRequest, CreateAdminResponse } from '../../../protocol/schemas/admin.js';
import { generatePassword, hashPassword } from '../crypto/secrets.js';
import type { Repository } from '../storage/repository.js';
import { adminView } from './admin-auth.js';
import type { AdminPrincipal } from './context.js';
import { type HierarchyService, isWithin } from './hierarchy.js';
import { requirePermission } from './permissions.js';

/**
 * Admin accounts. Only an `admin` creates accounts, and only at its own node or below: a district admin can
 * appoint community staff, never a city admin. Each account gets a random first password shown once.
 */
export class AdminService {
  constructor(
    readonly repo: Repository,
    readonly hierarchy: HierarchyService,
    readonly now: () => number,
  ) {}

  async create(principal: AdminPrincipal, req: CreateAdminRequest): Promise<CreateAdminResponse> {
    requirePermission(principal, 'admins.create');
    await this.hierarchy.nodeInScope(principal, req.nodeId);
    if (await this.repo.admins.findByUsername(req.username)) {
      throw new LinliError(ErrorCode.CONFLICT, `username "${req.username}" is taken; choose another`, {
        field: 'username',
      });
    }
    const password = generatePassword();
    const record = {
      id: newId('adm', this.now()),
      username: req.username,
      passwordHash: await hashPassword(password),
      role: req.role,
      nodeId: req.nodeId,
      createdAt: this.now(),
    };
    await this.repo.admins.create(record);
    return { admin: adminView(record), password };
  }

  /** The accounts at the caller's node or below. */
  async list(principal: AdminPrincipal): Promise<AdminView[]> {
    const out: AdminView[] = [];
    for (const a of await this.repo.admins.list()) {
      const node = await this.repo.nodes.get(a.nodeId);
      if (node && isWithin(node, principal.node.id)) out.push(adminView(a));
    }
    return out;
  }
}
