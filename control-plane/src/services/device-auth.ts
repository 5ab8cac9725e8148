import { verifyCanonical } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { publicKeyFromRaw } from '../../../protocol/keys.js';
import type { DeviceRole } from '../../../protocol/schemas/common.js';
import {
  type ChallengeResponse,
  type DeviceSessionRequest,
  type DeviceSessionResponse,
  sessionSigningInput,
} from '../../../protocol/schemas/enrollment.js';
import { randomSecret, sha256B64 } from '../crypto/secrets.js';
import type { DeviceRecord } from '../storage/records.js';
import type { Repository } from '../storage/repository.js';
import { type DevicePrincipal, iso } from './context.js';
import type { NonceStore } from './nonce-store.js';
import { PrincipalCache } from './principal-cache.js';

export const SESSION_NONCE_TTL_MS = 2 * 60_000;
const TOKEN_PREFIX = 'lds1.';

/**
 * Device HTTP authentication: a signed server nonce buys a bearer token. The token is stored hashed, so a
 * control-plane restart does not log devices out, and it expires, so a stolen one is worth little.
 */
export class DeviceAuthService {
  readonly #repo: Repository;
  readonly #nonces: NonceStore;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #principals: PrincipalCache<DevicePrincipal>;

  constructor(repo: Repository, nonces: NonceStore, now: () => number, sessionTtlSec: number) {
    this.#repo = repo;
    this.#nonces = nonces;
    this.#now = now;
    this.#ttlMs = sessionTtlSec * 1000;
    this.#principals = new PrincipalCache(now);
  }

  /** Ends the cached sessions of one device at once (revocation deletes its stored ones). */
  forgetDevice(deviceId: string): void {
    this.#principals.forget((p) => p.device.id === deviceId);
  }

  /** The device if it exists and is active; DEVICE_UNKNOWN or DEVICE_REVOKED otherwise. */
  async activeDevice(deviceId: string): Promise<DeviceRecord> {
    const device = await this.#repo.devices.get(deviceId);
    if (!device) {
      throw new LinliError(
        ErrorCode.DEVICE_UNKNOWN,
        `device ${deviceId} is not enrolled here; enroll it with a token`,
      );
    }
    if (device.status !== 'active') {
      throw new LinliError(
        ErrorCode.DEVICE_REVOKED,
        `device ${deviceId} was revoked; ask an admin to re-enroll it`,
      );
    }
    return device;
  }

  async challenge(deviceId: string): Promise<ChallengeResponse> {
    await this.activeDevice(deviceId);
    const { nonce, expiresAt } = await this.#nonces.issue('session', SESSION_NONCE_TTL_MS, deviceId);
    return { nonce, expiresAt: iso(expiresAt) };
  }

  async createSession(req: DeviceSessionRequest): Promise<DeviceSessionResponse> {
    const device = await this.activeDevice(req.deviceId);
    if (!(await this.#nonces.isLive(req.nonce, 'session', device.id))) {
      throw new LinliError(
        ErrorCode.NONCE_INVALID,
        'session nonce is unknown, used or expired; ask for a new challenge',
      );
    }
    if (
      !verifyCanonical(sessionSigningInput(device.id, req.nonce), req.sig, publicKeyFromRaw(device.publicKey))
    ) {
      throw new LinliError(
        ErrorCode.HANDSHAKE_FAILED,
        "signature does not verify with this device's enrolled key",
      );
    }
    if (!(await this.#nonces.take(req.nonce, 'session', device.id))) {
      throw new LinliError(
        ErrorCode.NONCE_INVALID,
        'session nonce was used by a concurrent request; ask again',
      );
    }
    const token = `${TOKEN_PREFIX}${randomSecret()}`;
    const now = this.#now();
    const expiresAt = now + this.#ttlMs;
    await this.#repo.devices.createSession({
      tokenHash: sha256B64(token),
      subjectId: device.id,
      createdAt: now,
      expiresAt,
    });
    // Keep expired sessions one more lifetime so their holders hear SESSION_EXPIRED, not UNAUTHORIZED.
    await this.#repo.devices.deleteExpiredSessions(now - this.#ttlMs);
    return { token, expiresAt: iso(expiresAt) };
  }

  /** Resolves a device bearer token; expired sessions answer SESSION_EXPIRED so the device re-authenticates. */
  async authenticate(token: string): Promise<DevicePrincipal> {
    const tokenHash = token.startsWith(TOKEN_PREFIX) ? sha256B64(token) : undefined;
    const cached = tokenHash ? this.#principals.get(tokenHash) : undefined;
    if (cached) return cached;
    const generation = this.#principals.generation;
    const session = tokenHash ? await this.#repo.devices.findSession(tokenHash) : undefined;
    if (!session) {
      throw new LinliError(
        ErrorCode.UNAUTHORIZED,
        'device session unknown; authenticate with POST /api/v1/device/challenge and /api/v1/device/session',
      );
    }
    if (session.expiresAt <= this.#now()) {
      throw new LinliError(ErrorCode.SESSION_EXPIRED, 'device session expired; authenticate again');
    }
    const device = await this.activeDevice(session.subjectId);
    const node = await this.#repo.nodes.get(device.nodeId);
    if (!node) throw new Error(`internal: device ${device.id} points at missing node ${device.nodeId}`);
    const principal = { device, node };
    this.#principals.set(session.tokenHash, principal, session.expiresAt, generation);
    return principal;
  }
}

/** Device routes serve one role each (bills and payments are for kiosks only). */
export function requireRole(principal: DevicePrincipal, roles: readonly DeviceRole[]): void {
  if (!roles.includes(principal.device.role)) {
    throw new LinliError(
      ErrorCode.DEVICE_ROLE,
      `this route is for ${roles.join(' or ')} devices; this device is a ${principal.device.role}`,
      { role: principal.device.role },
    );
  }
}
