import { verifyCanonical } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { publicKeyFromRaw } from '../../../protocol/keys.js';
import type {
  CreateTokenRequest,
  TokenListItem,
  TokenListQuery,
  TokenStatusView,
  TokenView,
} from '../../../protocol/schemas/admin.js';
import {
  type ChallengeResponse,
  type EnrollRequest,
  type EnrollResponse,
  enrollSigningInput,
} from '../../../protocol/schemas/enrollment.js';
import { formatToken, parseToken } from '../../../protocol/token.js';
import { randomSecret, safeEqual, sha256B64 } from '../crypto/secrets.js';
import type { KeyStore } from '../keys/key-store.js';
import type { DeviceRecord, EnrollmentTokenRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import type { TufKeys } from '../tuf/tuf-keys.js';
import { type AdminPrincipal, iso } from './context.js';
import type { HierarchyService } from './hierarchy.js';
import type { NonceStore } from './nonce-store.js';
import { requirePermission } from './permissions.js';

export const ENROLL_NONCE_TTL_MS = 5 * 60_000;

/** The same precedence as the store's state filter (storage/repository.ts TokenState). */
export function tokenState(t: EnrollmentTokenRecord, now: number): TokenListItem['state'] {
  if (t.revokedAt !== null) return 'revoked';
  if (t.uses >= t.maxUses) return 'used';
  if (t.expiresAt <= now) return 'expired';
  return 'active';
}

const tokenError = {
  not_found: [
    ErrorCode.TOKEN_INVALID,
    'enrollment token is not known to this control plane; ask your admin for a new one',
  ],
  revoked: [ErrorCode.TOKEN_REVOKED, 'enrollment token was revoked; ask your admin for a new one'],
  expired: [ErrorCode.TOKEN_EXPIRED, 'enrollment token has expired; ask your admin for a new one'],
  used_up: [
    ErrorCode.TOKEN_USED_UP,
    'enrollment token has been used as often as allowed; ask your admin for a new one',
  ],
  key_taken: [ErrorCode.ALREADY_ENROLLED, 'this device key is already enrolled; use the existing identity'],
} as const;

export interface EnrollmentDeps {
  repo: Repository;
  keys: KeyStore;
  tufKeys: TufKeys;
  hierarchy: HierarchyService;
  nonces: NonceStore;
  now: () => number;
}

/** Enrollment tokens and device enrollment: the only way a device identity comes into being. */
export class EnrollmentService {
  readonly #d: EnrollmentDeps;

  constructor(deps: EnrollmentDeps) {
    this.#d = deps;
  }

  async createToken(principal: AdminPrincipal, req: CreateTokenRequest): Promise<TokenView> {
    requirePermission(principal, 'enrollment.create');
    const node = await this.#d.hierarchy.nodeInScope(principal, req.nodeId);
    const now = this.#d.now();
    const secret = randomSecret();
    const record: EnrollmentTokenRecord = {
      id: newId('tok', now),
      secretHash: sha256B64(secret),
      nodeId: node.id,
      role: req.role,
      maxUses: req.maxUses ?? 1,
      uses: 0,
      expiresAt: now + (req.expiresInSec ?? 86_400) * 1000,
      revokedAt: null,
      tags: req.tags ?? [],
      createdBy: principal.admin.id,
      createdAt: now,
    };
    await this.#d.repo.tokens.create(record);
    return {
      id: record.id,
      token: formatToken({ tokenId: record.id, secret, rootHash: this.#d.tufKeys.anchor }),
      nodeId: record.nodeId,
      role: record.role,
      expiresAt: iso(record.expiresAt),
      maxUses: record.maxUses,
      tags: record.tags,
    };
  }

  /** Tokens of the subtree of `nodeId` (default: the admin's node), newest first; never the secret. */
  async listTokens(principal: AdminPrincipal, q: TokenListQuery): Promise<TokenListItem[]> {
    requirePermission(principal, 'enrollment.read');
    const root = await this.#d.hierarchy.nodeInScope(principal, q.nodeId ?? principal.admin.nodeId);
    const nodeIds = (await this.#d.hierarchy.subtree(root.id)).map((n) => n.id);
    const now = this.#d.now();
    const entries = await this.#d.repo.tokens.list({ nodeIds, state: q.state, now, limit: q.limit ?? 100 });
    const names = new Map<string, string | null>();
    for (const id of new Set(entries.map((e) => e.createdBy))) {
      names.set(id, (await this.#d.repo.admins.get(id))?.username ?? null);
    }
    return entries.map((t) => ({
      id: t.id,
      nodeId: t.nodeId,
      role: t.role,
      expiresAt: iso(t.expiresAt),
      maxUses: t.maxUses,
      uses: t.uses,
      revokedAt: t.revokedAt === null ? null : iso(t.revokedAt),
      state: tokenState(t, now),
      usesLeft: Math.max(0, t.maxUses - t.uses),
      tags: t.tags,
      createdBy: { id: t.createdBy, username: names.get(t.createdBy) ?? null },
      createdAt: iso(t.createdAt),
      lastUsedAt: t.lastUsedAt === null ? null : iso(t.lastUsedAt),
    }));
  }

  async revokeToken(principal: AdminPrincipal, tokenId: string): Promise<TokenStatusView> {
    requirePermission(principal, 'enrollment.revoke');
    const token = await this.#d.repo.tokens.get(tokenId);
    // Outside the admin's scope answers like an unknown id.
    if (!token || !(await this.#d.hierarchy.inScope(principal, token.nodeId))) {
      throw new LinliError(ErrorCode.NOT_FOUND, `no enrollment token ${tokenId}`, { field: 'id' });
    }
    await this.#d.repo.tokens.revoke(tokenId, this.#d.now());
    const after = (await this.#d.repo.tokens.get(tokenId))!;
    return {
      id: after.id,
      nodeId: after.nodeId,
      role: after.role,
      expiresAt: iso(after.expiresAt),
      maxUses: after.maxUses,
      uses: after.uses,
      revokedAt: after.revokedAt === null ? null : iso(after.revokedAt),
    };
  }

  async challenge(): Promise<ChallengeResponse> {
    const { nonce, expiresAt } = await this.#d.nonces.issue('enroll', ENROLL_NONCE_TTL_MS);
    return { nonce, expiresAt: iso(expiresAt) };
  }

  /**
   * Checks everything before writing anything; the only write is the token use and the device row, in one
   * transaction. A rejected request leaves storage exactly as it was.
   */
  async enroll(req: EnrollRequest): Promise<EnrollResponse> {
    const { repo, keys, nonces } = this.#d;
    const now = this.#d.now();
    const parsed = parseToken(req.token);
    if (!safeEqual(parsed.rootHash, this.#d.tufKeys.anchor)) {
      throw new LinliError(
        ErrorCode.TOKEN_INVALID,
        'enrollment token was issued by another control plane (its TUF root differs); check --server',
      );
    }
    const token = await repo.tokens.get(parsed.tokenId);
    if (!token || !safeEqual(sha256B64(parsed.secret), token.secretHash)) {
      const [code, message] = tokenError.not_found;
      throw new LinliError(code, message);
    }
    if (token.revokedAt !== null) throw this.#tokenError('revoked');
    if (token.expiresAt <= now) throw this.#tokenError('expired');
    if (token.uses >= token.maxUses) throw this.#tokenError('used_up');
    if (token.role !== req.role) {
      throw new LinliError(
        ErrorCode.TOKEN_ROLE_MISMATCH,
        `this token enrolls a ${token.role}, not a ${req.role}; use a ${req.role} token or enroll as ${token.role}`,
        { expected: token.role, got: req.role },
      );
    }
    if (!(await nonces.isLive(req.nonce, 'enroll'))) {
      throw new LinliError(
        ErrorCode.NONCE_INVALID,
        'enrollment nonce is unknown, used or expired; ask for a new challenge',
      );
    }
    const publicKey = publicKeyFromRaw(req.publicKey);
    if (!verifyCanonical(enrollSigningInput(req), req.sig, publicKey)) {
      throw new LinliError(
        ErrorCode.ENROLL_SIGNATURE,
        "the signature does not verify with the enrolling public key; sign enrollSigningInput with the device's key",
      );
    }
    if (await repo.devices.findByPublicKey(req.publicKey)) throw this.#tokenError('key_taken');
    const node = await repo.nodes.get(token.nodeId);
    if (!node) throw new Error(`internal: token ${token.id} points at missing node ${token.nodeId}`);
    if (!(await nonces.take(req.nonce, 'enroll'))) {
      throw new LinliError(
        ErrorCode.NONCE_INVALID,
        'enrollment nonce was used by a concurrent request; ask for a new challenge',
      );
    }
    const id = newId('dev', now);
    const device: DeviceRecord = {
      id,
      nodeId: node.id,
      role: token.role,
      name: req.name ?? req.hardware?.hostname ?? `${token.role}-${id.slice(-6).toLowerCase()}`,
      publicKey: req.publicKey,
      status: 'active',
      tags: token.tags,
      hardware: req.hardware ?? null,
      tokenId: token.id,
      enrolledAt: now,
      lastSeenAt: null,
      lastStatus: null,
      revokedAt: null,
    };
    const result = await repo.tokens.consumeAndCreateDevice(token.id, device, now);
    if (!result.ok) throw this.#tokenError(result.reason);
    return {
      deviceId: device.id,
      role: device.role,
      node: {
        id: node.id,
        name: node.name,
        path: await this.#d.hierarchy.pathOf(node),
        timezone: node.timezone,
        ancestry: node.ancestry,
      },
      tags: device.tags,
      keyset: keys.keyset,
      tufRoots: [...this.#d.tufKeys.roots],
    };
  }

  #tokenError(reason: keyof typeof tokenError): LinliError {
    const [code, message] = tokenError[reason];
    return new LinliError(code, message);
  }
}
