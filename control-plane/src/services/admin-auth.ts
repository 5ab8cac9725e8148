import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { AdminSessionView } from '../../../protocol/schemas/admin.js';
import {
  type AdminView,
  type ChangePasswordRequest,
  type LoginRequest,
  type LoginResponse,
  PASSWORD_MIN_LENGTH,
} from '../../../protocol/schemas/admin.js';
import {
  DUMMY_PASSWORD_HASH,
  generatePassword,
  hashPassword,
  randomSecret,
  sha256B64,
  verifyPassword,
} from '../crypto/secrets.js';
import type { AdminRecord, SessionRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type AdminPrincipal, iso } from './context.js';
import type { LoginLockout } from './login-lockout.js';
import { PrincipalCache } from './principal-cache.js';

/** Admin bearer tokens carry a prefix so a leaked one is recognisable in a log or a paste. */
const TOKEN_PREFIX = 'las1.';

export function adminView(a: AdminRecord): AdminView {
  return {
    id: a.id,
    username: a.username,
    role: a.role,
    nodeId: a.nodeId,
    ...(a.disabledAt === undefined ? {} : { disabled: true }),
  };
}

/** The public id of a session: derived from (never equal to) the stored token hash. */
export const sessionId = (s: SessionRecord): string => sha256B64(`session-id:${s.tokenHash}`).slice(0, 22);

export class AdminAuthService {
  readonly #repo: Repository;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #lockout: LoginLockout | undefined;
  readonly #principals: PrincipalCache<AdminPrincipal>;
  readonly #onSessionsEnded: ((adminId: string) => void) | undefined;

  /**
   * `onSessionsEnded` tells the other instances (the cluster bus, plugins/services.ts) that an account's
   * sessions ended, so they drop their cached principals at once instead of within PRINCIPAL_CACHE_MS.
   */
  constructor(
    repo: Repository,
    now: () => number,
    sessionTtlSec: number,
    lockout?: LoginLockout,
    onSessionsEnded?: (adminId: string) => void,
  ) {
    this.#onSessionsEnded = onSessionsEnded;
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
    // Only after the right password, so the answer tells nothing about an account to someone who lacks it.
    if (admin.disabledAt !== undefined) {
      throw new LinliError(
        ErrorCode.ACCOUNT_DISABLED,
        'this account is disabled; ask an admin of your community or above to enable it',
      );
    }
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
    return {
      token,
      expiresAt: iso(expiresAt),
      admin: adminView(admin),
      ...(admin.mustChangePassword ? { mustChangePassword: true as const } : {}),
    };
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
    // Disabling deletes the sessions; this also covers a session created by a login racing the disable.
    if (admin.disabledAt !== undefined) {
      throw new LinliError(ErrorCode.ACCOUNT_DISABLED, 'this account is disabled; its sessions have ended');
    }
    const principal = { admin, node };
    this.#principals.set(tokenHash, principal, session.expiresAt, generation);
    return principal;
  }

  /** Ends this process's cached sessions of one admin at once (its stored sessions are deleted by the caller). */
  forgetAdmin(adminId: string): void {
    this.#principals.forget((p) => p.admin.id === adminId);
  }

  /** forgetAdmin() here and on every other instance (after the store deleted the sessions). */
  sessionsEnded(adminId: string): void {
    this.forgetAdmin(adminId);
    this.#onSessionsEnded?.(adminId);
  }

  /**
   * The logged-in admin changes its own password: the current one is required (a stolen session alone cannot
   * take the account over), the new one has at least PASSWORD_MIN_LENGTH characters and differs. Every other
   * session of the account ends; the one making the change (`token`) stays. A wrong current password counts
   * as a login failure for the lockout, so this is no way around it.
   */
  async changePassword(principal: AdminPrincipal, token: string, req: ChangePasswordRequest): Promise<void> {
    const username = principal.admin.username;
    this.#lockout?.check(username);
    const admin = await this.#repo.admins.get(principal.admin.id);
    if (!admin || !(await verifyPassword(req.current, admin.passwordHash))) {
      this.#lockout?.failure(username);
      throw new LinliError(ErrorCode.PASSWORD_WRONG, 'the current password is wrong; type it again', {
        field: 'current',
      });
    }
    if ([...req.next].length < PASSWORD_MIN_LENGTH || req.next === req.current) {
      throw new LinliError(
        ErrorCode.PASSWORD_WEAK,
        `choose a new password of at least ${PASSWORD_MIN_LENGTH} characters that differs from the current one`,
        { field: 'next', minLength: PASSWORD_MIN_LENGTH },
      );
    }
    this.#lockout?.success(username);
    const keep = sha256B64(token);
    await this.#repo.admins.setPassword(admin.id, await hashPassword(req.next), keep);
    this.sessionsEnded(admin.id);
  }

  /**
   * The account's live sessions. A session's id is a hash of its token hash, so the list never shows
   * anything that could be used as (or turned back into) a bearer token.
   */
  async sessions(adminId: string, currentToken: string): Promise<AdminSessionView[]> {
    const current = sha256B64(currentToken);
    return (await this.#repo.admins.listSessions(adminId, this.#now())).map((s) => ({
      id: sessionId(s),
      createdAt: iso(s.createdAt),
      expiresAt: iso(s.expiresAt),
      current: s.tokenHash === current,
    }));
  }

  /** Ends one session of the account (on every instance); NOT_FOUND when it has no live session with that id. */
  async revokeSession(adminId: string, id: string): Promise<void> {
    const s = (await this.#repo.admins.listSessions(adminId, this.#now())).find((x) => sessionId(x) === id);
    if (!s || !(await this.#repo.admins.deleteSession(adminId, s.tokenHash))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no live session ${id}; list the sessions again`, {
        field: 'sessionId',
      });
    }
    this.sessionsEnded(adminId);
  }

  /**
   * An admin's reset (the caller checked scope): a new random password returned once, flagged must-change,
   * and every session of the account ends on every instance.
   */
  async resetByAdmin(adminId: string): Promise<string> {
    const password = generatePassword();
    await this.#repo.admins.setPassword(adminId, await hashPassword(password), undefined, true);
    this.sessionsEnded(adminId);
    return password;
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
    this.sessionsEnded(admin.id);
    return password;
  }
}
