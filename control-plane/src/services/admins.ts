import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import type {
  AdminView,
  CreateAdminRequest,
  CreateAdminResponse,
  ResetPasswordResponse,
} from '../../../protocol/schemas/admin.js';
import { generatePassword, hashPassword } from '../crypto/secrets.js';
import type { AdminRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type AdminAuthService, adminView } from './admin-auth.js';
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
    readonly auth?: AdminAuthService,
  ) {}

  /**
   * Disables or enables an account in the caller's subtree (never the caller's own). Disabling deletes its
   * sessions in the store and drops the cached ones here and, over the cluster bus, on the other instances at
   * once (a lost bus message: within PRINCIPAL_CACHE_MS, when their cache re-reads the store).
   * An account outside the subtree answers NOT_FOUND like an unknown id.
   */
  async setDisabled(principal: AdminPrincipal, id: string, disabled: boolean): Promise<AdminView> {
    requirePermission(principal, 'admins.manage');
    const target = await this.repo.admins.get(id);
    if (!target || !(await this.hierarchy.inScope(principal, target.nodeId))) {
      throw new LinliError(
        ErrorCode.NOT_FOUND,
        `no account ${id}; list accounts with GET /api/v1/admin/admins`,
        {
          field: 'id',
        },
      );
    }
    if (target.id === principal.admin.id) {
      throw new LinliError(
        ErrorCode.FORBIDDEN,
        'you cannot disable or enable your own account; ask another admin of your community or above',
      );
    }
    // Idempotent: disabling a disabled account keeps its first time.
    const disabledAt = disabled ? (target.disabledAt ?? this.now()) : null;
    await this.repo.admins.setDisabled(target.id, disabledAt);
    if (disabled) this.auth?.sessionsEnded(target.id);
    const { disabledAt: _old, ...rest } = target;
    return adminView(disabledAt === null ? rest : { ...rest, disabledAt });
  }

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

  /** A temporary password for an account in the caller's subtree (not its own), to be changed at next login. */
  async resetPassword(principal: AdminPrincipal, id: string): Promise<ResetPasswordResponse> {
    const target = await this.manageable(principal, id);
    if (target.id === principal.admin.id) {
      throw new LinliError(
        ErrorCode.FORBIDDEN,
        'change your own password with POST /api/v1/admin/me/password, not with a reset',
      );
    }
    if (!this.auth) throw new Error('internal: AdminService built without AdminAuthService');
    const password = await this.auth.resetByAdmin(target.id);
    return { admin: adminView(target), password };
  }

  /** An account the caller may manage: in its subtree (else NOT_FOUND, like an unknown id). */
  async manageable(principal: AdminPrincipal, id: string): Promise<AdminRecord> {
    requirePermission(principal, 'admins.manage');
    const target = await this.repo.admins.get(id);
    if (!target || !(await this.hierarchy.inScope(principal, target.nodeId))) {
      throw new LinliError(
        ErrorCode.NOT_FOUND,
        `no account ${id}; list accounts with GET /api/v1/admin/admins`,
        {
          field: 'id',
        },
      );
    }
    return target;
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
