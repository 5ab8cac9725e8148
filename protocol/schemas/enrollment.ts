import { type Static, Type } from '@sinclair/typebox';
import {
  DeviceRole,
  IdSchema,
  IsoTime,
  Nonce,
  PublicKeyRaw,
  SignatureB64,
  SignedEnvelope,
  strict,
} from './common.js';
import { Keyset } from './keyset.js';

export const ChallengeResponse = Type.Object({ nonce: Nonce, expiresAt: IsoTime });
export type ChallengeResponse = Static<typeof ChallengeResponse>;

export const Hardware = Type.Object(
  {
    hostname: Type.Optional(Type.String({ maxLength: 128 })),
    machineId: Type.Optional(Type.String({ maxLength: 128 })),
    model: Type.Optional(Type.String({ maxLength: 128 })),
    serial: Type.Optional(Type.String({ maxLength: 128 })),
  },
  strict,
);
export type Hardware = Static<typeof Hardware>;

/**
 * `sig` is the device key's Ed25519 signature over the canonical JSON of
 * `enrollSigningInput(...)`: it proves possession of the private key that never leaves the device.
 */
export const EnrollRequest = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 256 }),
    role: DeviceRole,
    publicKey: PublicKeyRaw,
    nonce: Nonce,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    hardware: Type.Optional(Hardware),
    sig: SignatureB64,
  },
  strict,
);
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object({
  deviceId: IdSchema('dev'),
  role: DeviceRole,
  node: Type.Object({
    id: IdSchema('node'),
    name: Type.String(),
    path: Type.Array(Type.String()),
    timezone: Type.String(),
    /** Node ids from the city down to this node: an emergency alert names nodes, the device matches them. */
    ancestry: Type.Array(IdSchema('node'), { minItems: 1, maxItems: 8 }),
  }),
  tags: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16 }),
  keyset: SignedEnvelope(Keyset),
  /**
   * The control plane's TUF root chain, `1.root.json` … newest, as exact file texts. The device checks the
   * first against the anchor in its token and each later one against the one before.
   */
  tufRoots: Type.Array(Type.String({ maxLength: 64 * 1024 }), { minItems: 1, maxItems: 256 }),
});
export type EnrollResponse = Static<typeof EnrollResponse>;

export function enrollSigningInput(r: Pick<EnrollRequest, 'token' | 'role' | 'publicKey' | 'nonce'>) {
  return { purpose: 'linli.enroll/v1', token: r.token, role: r.role, publicKey: r.publicKey, nonce: r.nonce };
}

/** Device HTTP session: a signed server nonce buys a short-lived bearer token; no clock agreement needed. */
export const DeviceChallengeRequest = Type.Object({ deviceId: IdSchema('dev') }, strict);
export type DeviceChallengeRequest = Static<typeof DeviceChallengeRequest>;

export const DeviceSessionRequest = Type.Object(
  { deviceId: IdSchema('dev'), nonce: Nonce, sig: SignatureB64 },
  strict,
);
export type DeviceSessionRequest = Static<typeof DeviceSessionRequest>;

export const DeviceSessionResponse = Type.Object({ token: Type.String(), expiresAt: IsoTime });
export type DeviceSessionResponse = Static<typeof DeviceSessionResponse>;

export function sessionSigningInput(deviceId: string, nonce: string) {
  return { purpose: 'linli.session/v1', deviceId, nonce };
}
