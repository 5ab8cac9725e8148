import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { generateSigningKey } from '../../../protocol/keys.js';
import type { ContentManifest, EmergencyAlert } from '../../../protocol/schemas/notice.js';
import type { DeviceIdentity } from '../identity/identity.js';
import { silentLogger } from '../logger.js';
import { ControlPlaneDouble } from '../testing/control-plane-double.js';
import { enrolledDevice } from '../testing/enrolled-device.js';
import { openContentState } from './content-state.js';
import { EmergencyState } from './emergency-state.js';

const cp = new ControlPlaneDouble();
let identity: DeviceIdentity;
let seq = 100;

beforeAll(async () => {
  await cp.start();
  ({ identity } = await enrolledDevice(cp, 'lobby'));
});
afterAll(() => cp.stop());

function alert(extra: Partial<EmergencyAlert> = {}): EmergencyAlert {
  return {
    type: 'linli.emergency/v1',
    seq: ++seq,
    action: 'show',
    noticeId: newId('ntc'),
    noticeVersion: 1,
    targets: { nodeIds: [cp.ancestry[1]!] },
    ttlSec: 60,
    title: { zh: '燃气泄漏' },
    body: { zh: '请立即撤离' },
    category: 'safety',
    // A server clock a day behind the device: it must not matter, the TTL runs from receipt.
    issuedAt: new Date(Date.now() - 86_400_000).toISOString(),
    ...extra,
  };
}

async function device(clock = { mono: 0, wall: Date.now() }, file?: string) {
  const path = file ?? join(await mkdtemp(join(tmpdir(), 'linli-emg-')), 'state.json');
  const state = await openContentState(path, silentLogger);
  const e = new EmergencyState({
    state,
    keyring: () => identity.keyring,
    device: { deviceId: identity.deviceId, role: 'lobby', tags: ['east-gate'], ancestry: cp.ancestry },
    log: silentLogger,
    mono: () => clock.mono,
    wall: () => clock.wall,
  });
  await e.start();
  return { e, state, path, clock };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('emergency alerts pushed inline', () => {
  it('shows a verified alert for its TTL counted from receipt on the device clock', async () => {
    const { e, clock } = await device();
    const a = alert();
    await e.accept(signEnvelope(a, cp.emergency));
    expect(e.active().map((x) => x.alert.noticeId)).toEqual([a.noticeId]);
    clock.mono += 59_000;
    expect(e.remainingMs(e.active()[0]!)).toBe(1_000);
    e.stop();
  });

  it('refuses a replay (same or lower seq), and changes nothing', async () => {
    const { e, state } = await device();
    const env = signEnvelope(alert(), cp.emergency);
    await e.accept(env);
    const before = structuredClone(state.data);
    expect(await codeOf(e.accept(env))).toBe(ErrorCode.EMERGENCY_REPLAY);
    expect(await codeOf(e.accept(signEnvelope(alert({ seq: env.payload.seq - 1 }), cp.emergency)))).toBe(
      ErrorCode.EMERGENCY_REPLAY,
    );
    expect(state.data).toEqual(before);
    e.stop();
  });

  it.each([
    [
      'a bad signature',
      () => ({ ...signEnvelope(alert(), cp.emergency), payload: { ...alert(), title: { zh: '假警报' } } }),
      ErrorCode.SIGNATURE_INVALID,
    ],
    [
      'the content key instead of the emergency key',
      () => signEnvelope(alert(), { ...cp.content, use: 'emergency' as const }),
      ErrorCode.KEY_USE,
    ],
    [
      'a key nobody certified',
      () => signEnvelope(alert(), generateSigningKey('emergency')),
      ErrorCode.KEY_UNKNOWN,
    ],
    [
      'another community',
      () => signEnvelope(alert({ targets: { nodeIds: [newId('node')] } }), cp.emergency),
      ErrorCode.EMERGENCY_NOT_FOR_DEVICE,
    ],
    [
      'another role',
      () => signEnvelope(alert({ targets: { nodeIds: [cp.nodeId], roles: ['led'] } }), cp.emergency),
      ErrorCode.EMERGENCY_NOT_FOR_DEVICE,
    ],
    [
      'another tag',
      () => signEnvelope(alert({ targets: { nodeIds: [cp.nodeId], tags: ['west-gate'] } }), cp.emergency),
      ErrorCode.EMERGENCY_NOT_FOR_DEVICE,
    ],
    [
      'a TTL beyond the bound',
      () => signEnvelope({ ...alert(), ttlSec: 9_999_999_999_999 }, cp.emergency),
      ErrorCode.PAYLOAD_SCHEMA,
    ],
  ])('refuses %s', async (_n, make, code) => {
    const { e, state } = await device();
    const before = structuredClone(state.data);
    expect(await codeOf(e.accept(make()))).toBe(code);
    expect(e.active()).toEqual([]);
    expect(state.data).toEqual(before);
    e.stop();
  });

  it('drops the alert when its TTL lapses without renewal (dead-man switch); a renewal extends it', async () => {
    const { e, clock } = await device();
    // The lapse is a timer; fake only the timers (file writes stay real) and move the injected clock with them.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pass = (ms: number): void => {
      clock.mono += ms;
      clock.wall += ms;
      vi.advanceTimersByTime(ms);
    };
    try {
      const a = alert({ ttlSec: 10 });
      const changes: number[] = [];
      e.on('change', () => changes.push(e.active().length));
      await e.accept(signEnvelope(a, cp.emergency));
      pass(8_000);
      await e.accept(signEnvelope(alert({ noticeId: a.noticeId, ttlSec: 10 }), cp.emergency));
      expect(e.remainingMs(e.active()[0]!)).toBe(10_000);
      // Past the first alert's own 10 s: the renewal keeps it up.
      pass(9_999);
      expect(e.active().map((x) => x.alert.noticeId)).toEqual([a.noticeId]);
      expect(e.remainingMs(e.active()[0]!)).toBe(1);
      const lapsed = once(e, 'change');
      pass(1);
      expect(e.active()).toEqual([]);
      await lapsed;
      expect(changes.at(-1)).toBe(0);
    } finally {
      vi.useRealTimers();
      e.stop();
    }
  });

  it('a cancel takes it down at once', async () => {
    const { e } = await device();
    const a = alert();
    await e.accept(signEnvelope(a, cp.emergency));
    await e.accept(signEnvelope(alert({ noticeId: a.noticeId, action: 'cancel' }), cp.emergency));
    expect(e.active()).toEqual([]);
    e.stop();
  });

  it('survives a restart for the rest of its TTL by the device clock, and is dropped if that clock went back', async () => {
    const first = await device({ mono: 0, wall: 1_800_000_000_000 });
    await first.e.accept(signEnvelope(alert({ ttlSec: 60 }), cp.emergency));
    first.e.stop();
    const later = await device({ mono: 0, wall: 1_800_000_020_000 }, first.path);
    expect(later.e.remainingMs(later.e.active()[0]!)).toBe(40_000);
    later.e.stop();
    const back = await device({ mono: 0, wall: 1_799_999_000_000 }, first.path);
    expect(back.e.active()).toEqual([]);
    back.e.stop();
  });

  it('is brought in line by the verified manifest: a missed alert starts, a finished one ends', async () => {
    const { e } = await device();
    const missed = alert();
    const manifest = (emergencySeq: number, live: boolean): ContentManifest => ({
      type: 'linli.manifest/v1',
      deviceId: identity.deviceId,
      emergencySeq,
      notices: live
        ? [
            {
              id: missed.noticeId,
              version: 1,
              title: missed.title,
              body: missed.body,
              category: 'safety',
              priority: 'emergency',
              images: [],
              schedule: { start: new Date().toISOString() },
              expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
              displaySec: 15,
              emergency: { seq: missed.seq, ttlSec: 60 },
            },
          ]
        : [],
    });
    await e.ingestManifest(manifest(missed.seq, true));
    expect(e.active().map((x) => x.alert.noticeId)).toEqual([missed.noticeId]);
    // An older manifest (built before this alert) does not end it; a newer one without it does.
    await e.ingestManifest(manifest(missed.seq - 1, false));
    expect(e.active()).toHaveLength(1);
    await e.ingestManifest(manifest(missed.seq, false));
    expect(e.active()).toEqual([]);
    e.stop();
  });
});
