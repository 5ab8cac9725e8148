import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { AdminView, LoginRequest, LoginResponse } from '../../../protocol/schemas/admin.js';
import {
  DUMMY_PASSWORD_HASH,
  generatePassword,
  hashPassword,
  randomSecret,
  sha256B64,
  verifyPassword,
} from '../crypto/secrets.js';
import type { AdminRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type AdminPrincipal, iso } from './context.js';
import type { LoginLockout } from './login-lockout.js';
import { PrincipalCache } from './principal-cache.js';

/** Admin bearer tokens carry a prefix so a leaked one is recognisable in a log or a paste. */
const TOKEN_PREFIX = 'las1.';

export function adminView(a: AdminRecord): AdminView {
  return { id: a.id, username: a.username, role: a.role, nodeId: a.nodeId };
}

export class AdminAuthService {
  readonly #repo: Repository;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #lockout: LoginLockout | undefined;
  readonly #principals: PrincipalCache<AdminPrincipal>;

  constructor(repo: Repository, now: () => number, sessionTtlSec: number, lockout?: LoginLockout) {
    this.#repo = repo;
    this.#now = now;
    this.#ttlMs = sessionTtlSec * 1000;
    this.#lockout = lockout;
    this.#principals = new PrincipalCache(now);
  }

  async login(req: LoginRequest): Promise<LoginResponse> {
    // A locked account is refused before the scrypt, even with the right password (else the lock is an oracle).
    this.#lockout?.check(req.username);
    const admin = await this.#repo.admins.findByUsername(req.username);
    // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
    const ok = await verifyPassword(req.password, admin?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!admin || !ok) {
      // Unknown names lock like real ones, so a lock does not reveal which usernames exist either.
      this.#lockout?.failure(req.username);
      throw new LinliError(
        ErrorCode.LOGIN_FAILED,
        'wrong username or password; the first password is printed once at the first start (reset it with `linli control-plane --reset-admin-password`)',
      );
    }
    this.#lockout?.success(req.username);
    const token = `${TOKEN_PREFIX}${randomSecret()}`;
    const now = this.#now();
    const expiresAt = now + this.#ttlMs;
    await this.#repo.admins.createSession({
      tokenHash: sha256B64(token),
      subjectId: admin.id,
      createdAt: now,
      expiresAt,
    });
    // Keep expired sessions one more lifetime so their holders hear SESSION_EXPIRED, not UNAUTHORIZED.
    await this.#repo.admins.deleteExpiredSessions(now - this.#ttlMs);
    return { token, expiresAt: iso(expiresAt), admin: adminView(admin) };
  }

  /** Resolves a bearer token to its admin; UNAUTHORIZED when unknown, SESSION_EXPIRED when too old. */
  async authenticate(token: string): Promise<AdminPrincipal> {
    if (!token.startsWith(TOKEN_PREFIX)) {
      throw new LinliError(
        ErrorCode.UNAUTHORIZED,
        'admin session unknown; log in at POST /api/v1/admin/login',
      );
    }
    const tokenHash = sha256B64(token);
    const cached = this.#principals.get(tokenHash);
    if (cached) return cached;
    const generation = this.#principals.generation;
    const session = await this.#repo.admins.findSession(tokenHash);
    if (!session) {
      throw new LinliError(
        ErrorCode.UNAUTHORIZED,
        'admin session unknown; log in at POST /api/v1/admin/login',
      );
    }
    if (session.expiresAt <= this.#now()) {
      throw new LinliError(ErrorCode.SESSION_EXPIRED, 'admin session expired; log in again');
    }
    const admin = await this.#repo.admins.get(session.subjectId);
    const node = admin ? await this.#repo.nodes.get(admin.nodeId) : undefined;
    if (!admin || !node) throw new LinliError(ErrorCode.UNAUTHORIZED, 'admin no longer exists; log in again');
    const principal = { admin, node };
    this.#principals.set(tokenHash, principal, session.expiresAt, generation);
    return principal;
  }

  /** Ends the cached sessions of one admin at once (its stored sessions are deleted by the caller). */
  forgetAdmin(adminId: string): void {
    this.#principals.forget((p) => p.admin.id === adminId);
  }

  /** Gives the admin a new random password (returned once) and ends its sessions. */
  async resetPassword(username: string): Promise<string> {
    const admin = await this.#repo.admins.findByUsername(username);
    if (!admin) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no admin "${username}" in this data dir; check --data`, {
        field: 'username',
      });
    }
    const password = generatePassword();
    await this.#repo.admins.setPassword(admin.id, await hashPassword(password));
    this.forgetAdmin(admin.id);
    return password;
  }
}
