import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, missing } from '../tests/helpers/requirements.js';
import { canonicalBytes } from './canonical-json.js';
import { Keyring, signEnvelope, verifyEnvelope } from './envelope.js';
import { ErrorCode, type LinliError } from './errors.js';
import { generateSigningKey, publicKeyToRaw, verifyKeyOf } from './keys.js';
import { I18nText, IdSchema } from './schemas/common.js';

const content = generateSigningKey('content');
const transaction = generateSigningKey('transaction');
const ring = new Keyring([verifyKeyOf(content), verifyKeyOf(transaction)]);

const notice = {
  type: 'linli.notice/v1',
  id: 'ntc_01JDQ0000000000000000000AB',
  version: 1,
  title: { zh: '志愿者活动日', en: 'Volunteer day' },
  body: { zh: '本周六上午九点在社区广场集合。' },
  category: 'event',
  priority: 'normal',
  targets: { nodeIds: ['node_01JDQ0000000000000000000AB'] },
  publishedAt: '2026-11-27T09:00:00.000Z',
} as const;

/** The payload schema checked after the signature (a content-signed payload of the skeleton's shape). */
const Notice = Type.Object(
  {
    type: Type.Literal('linli.notice/v1'),
    id: IdSchema('ntc'),
    version: Type.Integer({ minimum: 1 }),
    title: I18nText(120),
    body: I18nText(4000),
    category: Type.String(),
    priority: Type.String(),
    targets: Type.Object({ nodeIds: Type.Array(IdSchema('node')) }),
    publishedAt: Type.String(),
  },
  { additionalProperties: false },
);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as LinliError).code;
  }
  return 'no error';
}

describe('signed envelopes', () => {
  it('round-trips and validates the payload schema', () => {
    const env = signEnvelope(notice, content);
    expect(env.kid).toBe(content.kid);
    expect(verifyEnvelope(env, ring, { type: 'linli.notice/v1', schema: Notice })).toEqual(notice);
  });

  it('refuses a tampered payload', () => {
    const env = signEnvelope(notice, content);
    const tampered = { ...env, payload: { ...env.payload, title: { zh: '假通知' } } };
    expect(codeOf(() => verifyEnvelope(tampered, ring, { type: 'linli.notice/v1' }))).toBe(
      ErrorCode.SIGNATURE_INVALID,
    );
  });

  it('refuses an unknown key, a wrong type, a key used outside its role and junk', () => {
    const stranger = generateSigningKey('content');
    expect(
      codeOf(() => verifyEnvelope(signEnvelope(notice, stranger), ring, { type: 'linli.notice/v1' })),
    ).toBe(ErrorCode.KEY_UNKNOWN);
    const env = signEnvelope(notice, content);
    expect(codeOf(() => verifyEnvelope(env, ring, { type: 'linli.receipt/v1' }))).toBe(
      ErrorCode.PAYLOAD_TYPE,
    );
    // A transaction key signing a notice: refused at signing and at verification.
    expect(codeOf(() => signEnvelope(notice, transaction))).toBe(ErrorCode.KEY_USE);
    const forged = { ...env, kid: transaction.kid };
    expect(codeOf(() => verifyEnvelope(forged, ring, { type: 'linli.notice/v1' }))).toBe(ErrorCode.KEY_USE);
    expect(codeOf(() => verifyEnvelope('nope', ring, { type: 'linli.notice/v1' }))).toBe(
      ErrorCode.ENVELOPE_MALFORMED,
    );
    expect(codeOf(() => verifyEnvelope({ ...env, sig: 'short' }, ring, { type: 'linli.notice/v1' }))).toBe(
      ErrorCode.SIGNATURE_INVALID,
    );
  });

  it('refuses a correctly signed payload that breaks its schema', () => {
    const bad = { ...notice, version: 0 };
    const env = signEnvelope(bad, content);
    expect(codeOf(() => verifyEnvelope(env, ring, { type: 'linli.notice/v1', schema: Notice }))).toBe(
      ErrorCode.PAYLOAD_SCHEMA,
    );
  });

  it('exposes the raw 32-byte public key', () => {
    expect(Buffer.from(publicKeyToRaw(content.publicKey), 'base64url')).toHaveLength(32);
  });

  // openssl is a system package: skipped with a note when missing, a failure with CI=true (.ci/run installs it).
  describe.skipIf(missing('openssl', hasOpenssl()))('interoperability', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'linli-openssl-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies with `openssl pkeyutl -verify -rawin` (any standard Ed25519)', () => {
      const env = signEnvelope(notice, content);
      const pub = join(dir, 'pub.pem');
      const data = join(dir, 'data.json');
      const sig = join(dir, 'sig.bin');
      writeFileSync(pub, content.publicKey.export({ type: 'spki', format: 'pem' }));
      writeFileSync(data, canonicalBytes(env.payload));
      writeFileSync(sig, Buffer.from(env.sig, 'base64url'));
      const out = execFileSync('openssl', [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        pub,
        '-rawin',
        '-in',
        data,
        '-sigfile',
        sig,
      ]);
      expect(out.toString()).toMatch(/Signature Verified Successfully/);

      writeFileSync(data, canonicalBytes({ ...env.payload, version: 2 }));
      expect(() =>
        execFileSync(
          'openssl',
          ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', data, '-sigfile', sig],
          {
            stdio: 'pipe',
          },
        ),
      ).toThrow();
    });
  });
});
