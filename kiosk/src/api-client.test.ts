import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { DeviceApiClient } from './api-client.js';
import type { DeviceIdentity } from './identity/identity.js';
import { Trust } from './identity/trust.js';
import { silentLogger } from './logger.js';
import { ControlPlaneDouble } from './testing/control-plane-double.js';
import { enrolledDevice } from './testing/enrolled-device.js';

const cp = new ControlPlaneDouble();
let identity: DeviceIdentity;
let stateDir: string;

beforeAll(async () => {
  await cp.start();
  ({ identity, stateDir } = await enrolledDevice(cp, 'kiosk'));
});
afterAll(async () => {
  await cp.stop();
});

const client = (fetchFn?: typeof fetch) =>
  new DeviceApiClient({
    serverUrl: cp.url,
    identity,
    log: silentLogger,
    retries: 2,
    retryBaseMs: 1,
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });

describe('device API client', () => {
  it('trades a signed nonce for a session and re-authenticates once on 401', async () => {
    const api = client();
    await api.getKeyset();
    const sessions = () => cp.requests.filter((r) => r === 'POST /api/v1/device/session').length;
    const before = sessions();
    await api.getKeyset();
    expect(sessions()).toBe(before);
    cp.sessions.clear();
    await api.getKeyset();
    expect(sessions()).toBe(before + 1);
  });

  it('maps error bodies to coded LinliErrors', async () => {
    await expect(client().getBills({ billerId: 'gas', account: '300300000001' })).rejects.toMatchObject({
      code: ErrorCode.ACCOUNT_NOT_FOUND,
      details: { status: 404 },
    });
  });

  it('retries network failures of idempotent calls, then reports LINLI_ERR_UNAVAILABLE', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      if (new URL(String(input)).pathname === '/api/v1/device/keyset' && ++calls <= 2) {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      }
      return fetch(input, init);
    };
    await expect(client(flaky).getKeyset()).resolves.toBeDefined();
    expect(calls).toBe(3);
    const dead: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    await expect(client(dead).getKeyset()).rejects.toMatchObject({
      code: ErrorCode.UNAVAILABLE,
      details: { network: true, reason: 'ECONNREFUSED' },
    });
  });
});

describe('keyset refresh', () => {
  it('accepts a newer keyset signed by the pinned root, refuses rollback and forgeries', async () => {
    const trust = new Trust(stateDir, identity);
    expect(await trust.acceptKeyset(await client().getKeyset())).toBe(false);

    const { signEnvelope } = await import('../../protocol/envelope.js');
    const { generateSigningKey } = await import('../../protocol/keys.js');
    const v2 = signEnvelope({ ...cp.keyset.payload, version: 2 }, cp.root);
    expect(await trust.acceptKeyset(v2)).toBe(true);
    expect(trust.keysetVersion).toBe(2);
    await expect(trust.acceptKeyset(cp.keyset)).rejects.toMatchObject({ code: ErrorCode.KEY_INVALID });
    const forged = signEnvelope({ ...cp.keyset.payload, version: 3 }, generateSigningKey('root'));
    await expect(trust.acceptKeyset(forged)).rejects.toMatchObject({ code: ErrorCode.KEY_UNKNOWN });

    const { loadIdentity } = await import('./identity/identity.js');
    expect((await loadIdentity(stateDir)).file.keyset.payload.version).toBe(2);
  });
});
