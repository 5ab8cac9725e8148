import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Static, Type } from '@sinclair/typebox';
import { Keyring } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { keyId, publicKeyFromRaw, publicKeyToRaw, type VerifyKey } from '../../../protocol/keys.js';
import {
  DeviceRole,
  IdSchema,
  IsoTime,
  PublicKeyRaw,
  SignedEnvelope,
} from '../../../protocol/schemas/common.js';
import { Keyset } from '../../../protocol/schemas/keyset.js';
import { writeFileDurable } from '../state/durable-file.js';
import { DurableJsonAdapter } from '../state/durable-json-adapter.js';
import { stateLayout } from '../state/state-layout.js';

/** What enrollment leaves on the device; written durably, last, so its presence means "enrolled". */
export const IdentityFile = Type.Object({
  format: Type.Literal(1),
  deviceId: IdSchema('dev'),
  role: DeviceRole,
  name: Type.Optional(Type.String()),
  node: Type.Object({
    id: IdSchema('node'),
    name: Type.String(),
    path: Type.Array(Type.String()),
    timezone: Type.String(),
    ancestry: Type.Array(IdSchema('node'), { minItems: 1 }),
  }),
  tags: Type.Array(Type.String()),
  serverUrl: Type.String({ description: 'control plane base URL used at enrollment' }),
  /** SHA-256 of the control plane's 1.root.json, from the enrollment token: the trust anchor. */
  tufRootHash: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
  /** The keyset key the TUF root chain certified at enrollment (it signs the keyset). */
  rootKey: PublicKeyRaw,
  publicKey: PublicKeyRaw,
  keyset: SignedEnvelope(Keyset),
  enrolledAt: IsoTime,
});
export type IdentityFile = Static<typeof IdentityFile>;

/** A loaded identity: the file, the private key, and a keyring re-verified against the pinned root. */
export interface DeviceIdentity {
  readonly file: IdentityFile;
  readonly deviceId: string;
  readonly role: DeviceRole;
  readonly privateKey: KeyObject;
  readonly root: VerifyKey;
  readonly keyring: Keyring;
}

export function rootVerifyKey(rootKeyRaw: string): VerifyKey {
  const publicKey = publicKeyFromRaw(rootKeyRaw);
  return { kid: keyId(publicKey), uses: ['root'], publicKey };
}

/**
 * Loads and checks the identity: the private key must match the enrolled public key, and the stored keyset
 * must still verify against the pinned root (a keyset edited on disk is refused, not trusted).
 */
export async function loadIdentity(stateDir: string): Promise<DeviceIdentity> {
  const paths = stateLayout(stateDir);
  const file = await new DurableJsonAdapter<IdentityFile>(paths.identity, {
    corrupt: 'refuse',
    schema: IdentityFile,
  }).read();
  if (!file) {
    throw new LinliError(
      ErrorCode.NOT_ENROLLED,
      `${stateDir} holds no enrolled device; run \`linli enroll --server URL --token T --state ${stateDir} --role ROLE\` first`,
      { stateDir },
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readFile(paths.deviceKey, 'utf8'));
  } catch (cause) {
    throw new LinliError(
      ErrorCode.STATE_CORRUPT,
      `${paths.deviceKey} is missing or unreadable; the device cannot prove who it is. Re-enroll with a new token (--force).`,
      { file: paths.deviceKey },
      { cause },
    );
  }
  if (publicKeyToRaw(createPublicKey(privateKey)) !== file.publicKey) {
    throw new LinliError(
      ErrorCode.STATE_CORRUPT,
      `${paths.deviceKey} does not match the enrolled public key; re-enroll with a new token (--force)`,
      { file: paths.deviceKey },
    );
  }
  const root = rootVerifyKey(file.rootKey);
  const { keyring } = Keyring.fromKeyset(file.keyset, root);
  return { file, deviceId: file.deviceId, role: file.role, privateKey, root, keyring };
}

export async function saveIdentity(stateDir: string, file: IdentityFile): Promise<void> {
  await writeFileDurable(stateLayout(stateDir).identity, `${JSON.stringify(file, null, 2)}\n`);
}
