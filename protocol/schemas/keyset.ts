import { type Static, Type } from '@sinclair/typebox';
import { IsoTime, PublicKeyRaw, SignedEnvelope, strict } from './common.js';

export const KeyUseSchema = Type.Union([
  Type.Literal('root'),
  Type.Literal('content'),
  Type.Literal('transaction'),
  Type.Literal('emergency'),
  Type.Literal('fleet'),
]);

/**
 * The control plane's online keys, signed by its root key. A device pins the root public key from its
 * enrollment token and trusts other keys only through a keyset that root signed.
 */
export const Keyset = Type.Object(
  {
    type: Type.Literal('linli.keyset/v1'),
    version: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    issuedAt: IsoTime,
    keys: Type.Array(
      Type.Object(
        {
          kid: Type.String({ pattern: '^k_[A-Za-z0-9_-]{22}$' }),
          alg: Type.Literal('Ed25519'),
          uses: Type.Array(KeyUseSchema, { minItems: 1, maxItems: 5 }),
          publicKey: PublicKeyRaw,
        },
        strict,
      ),
      { minItems: 1, maxItems: 32 },
    ),
  },
  strict,
);
export type Keyset = Static<typeof Keyset>;

/** `GET /api/v1/device/keyset`: the current keyset, signed by the root key the device pinned. */
export const KeysetResponse = Type.Object({ keyset: SignedEnvelope(Keyset) });
export type KeysetResponse = Static<typeof KeysetResponse>;
