import { Keyring } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { Signed } from '../../../protocol/schemas/common.js';
import type { Keyset } from '../../../protocol/schemas/keyset.js';
import { type DeviceIdentity, type IdentityFile, saveIdentity } from './identity.js';

/**
 * The keys the device trusts right now: the pinned root and the online keys of the last keyset that root
 * signed. A new keyset is accepted only if root signed it and its version does not go backwards, so a
 * replayed old keyset cannot bring back a retired key.
 */
export class Trust {
  readonly #stateDir: string;
  #identity: DeviceIdentity;

  constructor(stateDir: string, identity: DeviceIdentity) {
    this.#stateDir = stateDir;
    this.#identity = identity;
  }

  get keyring(): Keyring {
    return this.#identity.keyring;
  }

  get keysetVersion(): number {
    return this.#identity.file.keyset.payload.version;
  }

  /** Verifies and stores a keyset; returns false if it is the one already held. */
  async acceptKeyset(envelope: Signed<Keyset> | unknown): Promise<boolean> {
    const { keyring, keyset } = Keyring.fromKeyset(envelope, this.#identity.root);
    const current = this.keysetVersion;
    if (keyset.version < current) {
      throw new LinliError(
        ErrorCode.KEY_INVALID,
        `refused keyset version ${keyset.version}: this device already trusts version ${current} (rollback)`,
        { got: keyset.version, have: current },
      );
    }
    if (keyset.version === current) return false;
    const file: IdentityFile = { ...this.#identity.file, keyset: envelope as Signed<Keyset> };
    await saveIdentity(this.#stateDir, file);
    this.#identity = { ...this.#identity, file, keyring };
    return true;
  }
}
