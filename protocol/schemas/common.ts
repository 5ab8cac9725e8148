import { type Static, type TSchema, Type } from '@sinclair/typebox';

/** Closed objects: unknown fields in a request or a signed payload are an error, not silently ignored. */
export const strict = { additionalProperties: false } as const;

export const IdSchema = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`, description: `a \`${prefix}_\` id` });

export const IsoTime = Type.String({
  format: 'date-time',
  maxLength: 40,
  description: 'UTC time in RFC 3339 form, e.g. 2026-11-27T09:00:00.000Z',
});

/** Money is integer fen (0.01 yuan) everywhere; the bound stops absurd amounts before they reach a biller. */
export const Fen = Type.Integer({
  minimum: 0,
  maximum: 100_000_000,
  description: 'amount in fen (1/100 yuan)',
});
export const PositiveFen = Type.Integer({
  minimum: 1,
  maximum: 100_000_000,
  description: 'amount in fen, > 0',
});

export const DeviceRole = Type.Union([Type.Literal('kiosk'), Type.Literal('lobby'), Type.Literal('led')]);
export type DeviceRole = Static<typeof DeviceRole>;
export const DEVICE_ROLES: readonly DeviceRole[] = ['kiosk', 'lobby', 'led'];

export const NodeLevel = Type.Union([
  Type.Literal('city'),
  Type.Literal('district'),
  Type.Literal('street'),
  Type.Literal('community'),
]);
export type NodeLevel = Static<typeof NodeLevel>;
export const NODE_LEVELS: readonly NodeLevel[] = ['city', 'district', 'street', 'community'];

/** Chinese is required; English is optional everywhere a resident reads text. */
export const I18nText = (maxLength: number) =>
  Type.Object(
    {
      zh: Type.String({ minLength: 1, maxLength }),
      en: Type.Optional(Type.String({ minLength: 1, maxLength })),
    },
    strict,
  );
export type I18nText = { zh: string; en?: string };

export const Base64Url = (bytes: number) =>
  Type.String({
    pattern: `^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`,
    description: `${bytes} bytes, base64url`,
  });

export const PublicKeyRaw = Base64Url(32);
export const SignatureB64 = Base64Url(64);
export const Nonce = Type.String({
  pattern: '^[A-Za-z0-9_-]{22,86}$',
  description: 'server nonce, base64url',
});

/** `{payload, kid, sig}`: Ed25519 over the RFC 8785 bytes of `payload`. */
export const SignedEnvelope = <T extends TSchema>(payload: T) =>
  Type.Object(
    {
      payload,
      kid: Type.String({ pattern: '^k_[A-Za-z0-9_-]{22}$' }),
      sig: SignatureB64,
    },
    strict,
  );
export interface Signed<T> {
  payload: T;
  kid: string;
  sig: string;
}

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String({ pattern: '^LINLI_ERR_[A-Z_]+$' }),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

export const Ok = Type.Object({ ok: Type.Literal(true) });
