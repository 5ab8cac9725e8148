import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { canonicalBytes } from './canonical-json.js';
import { ErrorCode, LinliError } from './errors.js';
import { fromB64url, type KeyUse, publicKeyFromRaw, type SigningKey, type VerifyKey } from './keys.js';
import type { Signed } from './schemas/common.js';
import type { Keyset } from './schemas/keyset.js';
import { validate } from './validate.js';

/**
 * Which key use may sign which payload type. A transaction key cannot sign a notice and a content key
 * cannot sign a receipt, so one leaked online key does not forge everything.
 */
export const SIGNER_FOR_TYPE: Readonly<Record<string, KeyUse>> = {
  'linli.keyset/v1': 'root',
  'linli.notice/v1': 'content',
  'linli.emergency/v1': 'emergency',
  'linli.bill/v1': 'transaction',
  'linli.payment/v1': 'transaction',
  'linli.receipt/v1': 'transaction',
  'linli.appointment/v1': 'transaction',
  'linli.target-state/v1': 'fleet',
  'linli.command/v1': 'fleet',
};

export function signEnvelope<T extends { type: string }>(payload: T, key: SigningKey): Signed<T> {
  const use = SIGNER_FOR_TYPE[payload.type];
  if (use === undefined) {
    throw new LinliError(ErrorCode.PAYLOAD_TYPE, `no key use is registered for payload type ${payload.type}`);
  }
  if (use !== key.use) {
    throw new LinliError(
      ErrorCode.KEY_USE,
      `a ${key.use} key cannot sign ${payload.type}; use the ${use} key`,
    );
  }
  const sig = edSign(null, canonicalBytes(payload), key.privateKey).toString('base64url');
  return { payload, kid: key.kid, sig };
}

/** Raw Ed25519 over canonical JSON, for challenge responses that are not envelopes. */
export function signCanonical(value: unknown, privateKey: KeyObject): string {
  return edSign(null, canonicalBytes(value), privateKey).toString('base64url');
}

export function verifyCanonical(value: unknown, sig: string, publicKey: KeyObject): boolean {
  if (typeof sig !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(sig)) return false;
  try {
    return edVerify(null, canonicalBytes(value), publicKey, fromB64url(sig));
  } catch {
    return false;
  }
}

/** The verification keys a party trusts, by key id. */
export class Keyring {
  readonly #keys = new Map<string, VerifyKey>();

  constructor(keys: Iterable<VerifyKey> = []) {
    for (const k of keys) this.add(k);
  }

  add(key: VerifyKey): void {
    this.#keys.set(key.kid, key);
  }

  get(kid: string): VerifyKey | undefined {
    return this.#keys.get(kid);
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Builds a keyring from a keyset envelope that must verify against the pinned root key. */
  static fromKeyset(envelope: unknown, root: VerifyKey): { keyring: Keyring; keyset: Keyset } {
    const rootRing = new Keyring([root]);
    const keyset = verifyEnvelope<Keyset>(envelope, rootRing, { type: 'linli.keyset/v1' });
    const ring = new Keyring([root]);
    for (const k of keyset.keys) {
      ring.add({ kid: k.kid, uses: k.uses, publicKey: publicKeyFromRaw(k.publicKey) });
    }
    return { keyring: ring, keyset };
  }
}

export interface VerifyOptions {
  /** The payload type the caller expects; anything else is refused even if correctly signed. */
  type: string;
  /** Validate the payload against this schema after the signature checks out. */
  schema?: TSchema;
}

/**
 * Verifies `{payload, kid, sig}` and returns the payload. Throws a LinliError with a precise code for a
 * malformed envelope, an unknown key, a key used outside its role, a bad signature or a bad payload.
 */
export function verifyEnvelope<T>(envelope: unknown, keyring: Keyring, opts: VerifyOptions): T {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new LinliError(
      ErrorCode.ENVELOPE_MALFORMED,
      'signed envelope must be an object {payload, kid, sig}',
    );
  }
  const { payload, kid, sig } = envelope as Record<string, unknown>;
  if (typeof kid !== 'string' || typeof sig !== 'string' || typeof payload !== 'object' || payload === null) {
    throw new LinliError(
      ErrorCode.ENVELOPE_MALFORMED,
      'signed envelope needs payload (object), kid and sig (strings)',
    );
  }
  const key = keyring.get(kid);
  if (!key) {
    throw new LinliError(
      ErrorCode.KEY_UNKNOWN,
      `signed by unknown key ${kid}; refresh the keyset or re-enroll`,
      {
        kid,
      },
    );
  }
  const type = (payload as { type?: unknown }).type;
  if (type !== opts.type) {
    throw new LinliError(ErrorCode.PAYLOAD_TYPE, `expected a ${opts.type} payload, got ${String(type)}`, {
      expected: opts.type,
    });
  }
  const use = SIGNER_FOR_TYPE[opts.type];
  if (use === undefined || !key.uses.includes(use)) {
    throw new LinliError(ErrorCode.KEY_USE, `key ${kid} is not allowed to sign ${opts.type}`, { kid });
  }
  let ok = false;
  try {
    ok = verifyCanonical(payload, sig, key.publicKey);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new LinliError(
      ErrorCode.SIGNATURE_INVALID,
      `signature on ${opts.type} does not verify; content refused`,
      {
        kid,
      },
    );
  }
  if (opts.schema) validate(opts.schema, payload, opts.type);
  return payload as T;
}
