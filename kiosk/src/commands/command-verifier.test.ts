import { describe, expect, it } from 'vitest';
import { Keyring, signEnvelope } from '../../../protocol/envelope.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { generateSigningKey, type SigningKey, verifyKeyOf } from '../../../protocol/keys.js';
import type { Command } from '../../../protocol/schemas/fleet.js';
import { verifyCommand } from './command-verifier.js';

const fleet = generateSigningKey('fleet');
const keyring = new Keyring([verifyKeyOf(fleet)]);
const deviceId = newId('dev');
const NOW = Date.parse('2026-12-08T03:00:00.000Z');

function envelope(over: Partial<Command> = {}, key: SigningKey = fleet) {
  const payload: Command = {
    type: 'linli.command/v1',
    id: newId('cmd'),
    deviceId,
    seq: 5,
    op: 'identify',
    args: { seconds: 5 },
    issuedAt: new Date(NOW - 1000).toISOString(),
    expiresAt: new Date(NOW + 60_000).toISOString(),
    ...over,
  };
  return signEnvelope(payload, key);
}

const ctx = { keyring, deviceId, role: 'lobby' as const, highestSeq: 4, serverNow: NOW };

describe('verifyCommand', () => {
  it('runs a fresh, signed command for this device within its time and role', () => {
    const env = envelope();
    expect(verifyCommand(env, ctx)).toEqual({ kind: 'run', command: env.payload });
  });

  it('rejects with a code what is provably from the control plane but not to be run', () => {
    const cases: [Partial<Command>, Partial<typeof ctx>, string][] = [
      [{ deviceId: newId('dev') }, {}, ErrorCode.COMMAND_FOREIGN],
      [{ seq: 4 }, {}, ErrorCode.COMMAND_REPLAY],
      [{ seq: 2 }, {}, ErrorCode.COMMAND_REPLAY],
      [{ expiresAt: new Date(NOW).toISOString() }, {}, ErrorCode.COMMAND_EXPIRED],
      // Expiry is judged on the server clock estimate, not the device's own.
      [{}, { serverNow: NOW + 61_000 }, ErrorCode.COMMAND_EXPIRED],
      [{ op: 'set-brightness', args: { level: 3 } }, {}, ErrorCode.COMMAND_OP_NOT_ALLOWED],
      [{ op: 'reprint-last-receipt', args: {} }, { role: 'led' as never }, ErrorCode.COMMAND_OP_NOT_ALLOWED],
    ];
    for (const [over, c, code] of cases) {
      const v = verifyCommand(envelope(over), { ...ctx, ...c });
      expect({ over, v: v.kind, code: (v as { code?: string }).code }).toEqual({ over, v: 'reject', code });
    }
    // Positive controls for the same knobs.
    expect(verifyCommand(envelope({ seq: 5 }), ctx).kind).toBe('run');
    expect(verifyCommand(envelope({}), { ...ctx, serverNow: NOW + 59_000 }).kind).toBe('run');
    expect(
      verifyCommand(envelope({ op: 'set-brightness', args: { level: 3 } }), { ...ctx, role: 'led' }).kind,
    ).toBe('run');
  });

  it('drops, with no answer, what nothing proves came from the control plane', () => {
    const otherFleet = generateSigningKey('fleet');
    const content = generateSigningKey('content');
    const withContent = new Keyring([verifyKeyOf(fleet), verifyKeyOf(content)]);
    const good = envelope();
    const cases: [unknown, Keyring, string][] = [
      [envelope({}, otherFleet), keyring, ErrorCode.KEY_UNKNOWN],
      // A key the device knows, but not for commands.
      [
        {
          ...good,
          kid: content.kid,
          sig: signEnvelope({ ...good.payload, type: 'linli.notice/v1' } as never, content).sig,
        },
        withContent,
        ErrorCode.KEY_USE,
      ],
      [{ ...good, payload: { ...good.payload, seq: 99 } }, keyring, ErrorCode.SIGNATURE_INVALID],
      [
        { ...good, payload: { ...good.payload, type: 'linli.emergency/v1' } },
        keyring,
        ErrorCode.PAYLOAD_TYPE,
      ],
      ['not an envelope', keyring, ErrorCode.ENVELOPE_MALFORMED],
      [envelope({ op: 'shell' as never }), keyring, ErrorCode.PAYLOAD_SCHEMA],
    ];
    for (const [env, ring, code] of cases) {
      const v = verifyCommand(env, { ...ctx, keyring: ring });
      expect({ kind: v.kind, code: (v as { code: string }).code }).toEqual({ kind: 'drop', code });
    }
  });
});
