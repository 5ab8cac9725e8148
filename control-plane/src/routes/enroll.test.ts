import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import { Keyring } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { formatToken, parseToken } from '../../../protocol/token.js';
import { createHarness, type Harness, snapshot } from '../testing/harness.js';
import { TestDevice } from '../testing/test-device.js';
import { rootVerifyKeyFromToken } from '../testing/trust.js';

let h: Harness;
let communityId: string;
beforeAll(async () => {
  h = await createHarness();
  communityId = (await h.community('enroll')).community.id;
});
afterAll(() => h.close());

describe('enrollment', () => {
  it('enrolls a device: node with path and timezone, and a keyset signed by the root in the token', async () => {
    const t = await h.token(communityId, 'kiosk', { tags: ['lobby-east'] });
    const dev = new TestDevice();
    const res = await h.app.inject({
      method: 'POST',
      url: API.enroll,
      payload: await dev.enrollBody(h.app, t.token, 'kiosk', {
        name: 'Kiosk 1',
        hardware: { hostname: 'k1' },
      }),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as {
      deviceId: string;
      role: string;
      node: Record<string, unknown>;
      keyset: unknown;
      tags: string[];
      tufRoots: string[];
    };
    expect(body.role).toBe('kiosk');
    expect(body.node).toEqual({
      id: communityId,
      name: 'enroll社区',
      path: [(await h.repo.nodes.listRoots())[0]!.name, 'enroll区', 'enroll街道', 'enroll社区'],
      timezone: 'Asia/Shanghai',
      ancestry: (await h.repo.nodes.get(communityId))!.ancestry,
    });
    expect(body.tags).toEqual(['lobby-east']);
    // The token pins 1.root.json by hash; the root chain names the key that signs the keyset.
    const { keyring } = Keyring.fromKeyset(body.keyset, rootVerifyKeyFromToken(t.token, body.tufRoots));
    expect(keyring.get(h.app.keys.transaction.kid)?.uses).toEqual(['transaction']);
    const device = await h.repo.devices.get(body.deviceId);
    expect(device).toMatchObject({
      name: 'Kiosk 1',
      role: 'kiosk',
      publicKey: dev.publicKey,
      tags: ['lobby-east'],
    });
    expect((await h.repo.tokens.get(t.id))?.uses).toBe(1);
  });

  it('gives the same nonce only once', async () => {
    const t = await h.token(communityId, 'led', { maxUses: 2 });
    const a = new TestDevice();
    const body = await a.enrollBody(h.app, t.token, 'led');
    expect((await h.app.inject({ method: 'POST', url: API.enroll, payload: body })).statusCode).toBe(201);
    const b = new TestDevice();
    const replay = await b.enrollBody(h.app, t.token, 'led', { nonce: body.nonce });
    const res = await h.app.inject({ method: 'POST', url: API.enroll, payload: replay });
    expect(res.json()).toMatchObject({ error: { code: ErrorCode.NONCE_INVALID } });
  });

  describe('refuses bad requests with a code and changes nothing stored', () => {
    const cases: [string, (dev: TestDevice) => Promise<Record<string, unknown>>, number, string][] = [
      [
        'a used-up token',
        async (dev) => {
          const t = await h.token(communityId, 'kiosk');
          await new TestDevice().enroll(h.app, t.token, 'kiosk');
          return dev.enrollBody(h.app, t.token, 'kiosk');
        },
        401,
        ErrorCode.TOKEN_USED_UP,
      ],
      [
        'an expired token',
        async (dev) => {
          const t = await h.token(communityId, 'kiosk', { expiresInSec: 60 });
          h.clock.advance(61_000);
          return dev.enrollBody(h.app, t.token, 'kiosk');
        },
        401,
        ErrorCode.TOKEN_EXPIRED,
      ],
      [
        'a wrong-role token',
        async (dev) => dev.enrollBody(h.app, (await h.token(communityId, 'lobby')).token, 'kiosk'),
        403,
        ErrorCode.TOKEN_ROLE_MISMATCH,
      ],
      [
        'a revoked token',
        async (dev) => {
          const t = await h.token(communityId, 'kiosk');
          await h.admin({ method: 'POST', url: API.enrollmentTokenRevoke(t.id), payload: {} });
          return dev.enrollBody(h.app, t.token, 'kiosk');
        },
        401,
        ErrorCode.TOKEN_REVOKED,
      ],
      [
        'a wrong secret',
        async (dev) => {
          const p = parseToken((await h.token(communityId, 'kiosk')).token);
          const token = formatToken({ ...p, secret: 'A'.repeat(43) });
          return dev.enrollBody(h.app, token, 'kiosk');
        },
        401,
        ErrorCode.TOKEN_INVALID,
      ],
      [
        'another control plane’s TUF root',
        async (dev) => {
          const p = parseToken((await h.token(communityId, 'kiosk')).token);
          return dev.enrollBody(h.app, formatToken({ ...p, rootHash: new TestDevice().publicKey }), 'kiosk');
        },
        401,
        ErrorCode.TOKEN_INVALID,
      ],
      [
        'a malformed token',
        async (dev) => dev.enrollBody(h.app, 'lnt2.garbage.token', 'kiosk'),
        401,
        ErrorCode.TOKEN_INVALID,
      ],
      [
        'an unknown nonce',
        async (dev) =>
          dev.enrollBody(h.app, (await h.token(communityId, 'kiosk')).token, 'kiosk', {
            nonce: 'x'.repeat(43),
          }),
        401,
        ErrorCode.NONCE_INVALID,
      ],
      [
        'an expired nonce',
        async (dev) => {
          const body = await dev.enrollBody(
            h.app,
            (await h.token(communityId, 'kiosk', { expiresInSec: 3600 })).token,
            'kiosk',
          );
          h.clock.advance(5 * 60_000 + 1);
          return body;
        },
        401,
        ErrorCode.NONCE_INVALID,
      ],
      [
        'a signature by another key',
        async (dev) => {
          const other = new TestDevice();
          const body = await other.enrollBody(h.app, (await h.token(communityId, 'kiosk')).token, 'kiosk');
          return { ...body, publicKey: dev.publicKey };
        },
        401,
        ErrorCode.ENROLL_SIGNATURE,
      ],
      [
        'an unknown field',
        async (dev) => ({
          ...(await dev.enrollBody(h.app, (await h.token(communityId, 'kiosk')).token, 'kiosk')),
          admin: true,
        }),
        400,
        ErrorCode.BAD_REQUEST,
      ],
    ];

    it.each(cases)('%s', async (_name, build, status, code) => {
      const dev = new TestDevice();
      const body = await build(dev);
      const before = snapshot(h.repo);
      const res = await h.app.inject({ method: 'POST', url: API.enroll, payload: body });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ error: { code } });
      expect(snapshot(h.repo)).toEqual(before);
    });

    it('malformed JSON', async () => {
      const before = snapshot(h.repo);
      const res = await h.app.inject({
        method: 'POST',
        url: API.enroll,
        headers: { 'content-type': 'application/json' },
        payload: '{"token": "lnt1.',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.MALFORMED_JSON } });
      expect(snapshot(h.repo)).toEqual(before);
    });

    it('a key that is already enrolled', async () => {
      const dev = new TestDevice();
      await dev.enroll(h.app, (await h.token(communityId, 'kiosk')).token, 'kiosk');
      const t = await h.token(communityId, 'kiosk');
      // The challenge is stored (nonces live in the store); the refused request itself changes nothing.
      const payload = await dev.enrollBody(h.app, t.token, 'kiosk');
      const before = snapshot(h.repo);
      const res = await h.app.inject({ method: 'POST', url: API.enroll, payload });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: ErrorCode.ALREADY_ENROLLED } });
      expect(snapshot(h.repo)).toEqual(before);
    });
  });

  it('never enrolls more devices than the token allows, even concurrently', async () => {
    const t = await h.token(communityId, 'lobby', { maxUses: 3 });
    const devices = Array.from({ length: 8 }, () => new TestDevice());
    const bodies = await Promise.all(devices.map((d) => d.enrollBody(h.app, t.token, 'lobby')));
    const results = await Promise.all(
      bodies.map((payload) => h.app.inject({ method: 'POST', url: API.enroll, payload })),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(3);
    expect(
      results
        .filter((r) => r.statusCode !== 201)
        .every((r) => r.json().error.code === ErrorCode.TOKEN_USED_UP),
    ).toBe(true);
    expect((await h.repo.tokens.get(t.id))?.uses).toBe(3);
    const n = h.repo.db.prepare('SELECT COUNT(*) AS n FROM devices WHERE token_id = ?').get(t.id) as {
      n: number;
    };
    expect(n.n).toBe(3);
  });
});
