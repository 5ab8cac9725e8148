import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, signEnvelope, verifyCanonical } from '../../../protocol/envelope.js';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { newId } from '../../../protocol/ids.js';
import { generateSigningKey, verifyKeyOf } from '../../../protocol/keys.js';
import type { Command, SignedCommandResult } from '../../../protocol/schemas/fleet.js';
import type { RoleUnit } from '../roles/role-unit.js';
import { LiveSettings } from '../settings/live-settings.js';
import { captureLogger } from '../testing/capture-logger.js';
import { CommandStore } from './command-store.js';
import { CommandUnit } from './command-unit.js';
import { ServerClock } from './server-clock.js';

const fleet = generateSigningKey('fleet');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const deviceId = newId('dev');

function command(seq: number, over: Partial<Command> = {}) {
  const now = Date.now();
  return signEnvelope<Command>(
    {
      type: 'linli.command/v1',
      id: newId('cmd'),
      deviceId,
      seq,
      op: 'identify',
      args: { seconds: 3 },
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 60_000).toISOString(),
      ...over,
    },
    fleet,
  );
}

async function world(o: { stateFile?: string; failPosts?: number } = {}) {
  const stateFile = o.stateFile ?? join(await mkdtemp(join(tmpdir(), 'linli-cmd-')), 'commands.json');
  const posted: SignedCommandResult[] = [];
  let failures = o.failPosts ?? 0;
  const identified: number[] = [];
  const settings = new LiveSettings();
  let restarts = 0;
  const role: RoleUnit = {
    routes: async () => {},
    start: async () => {},
    stop: async () => {},
    health: () => ({}),
    identify: async (s) => {
      identified.push(s);
    },
  };
  const { log, records } = captureLogger();
  const unit = new CommandUnit({
    identity: { deviceId, role: 'led', privateKey },
    keyring: () => new Keyring([verifyKeyOf(fleet)]),
    store: new CommandStore(stateFile),
    clock: new ServerClock(),
    api: {
      postCommandResult: async (r) => {
        if (failures-- > 0)
          throw new LinliError(ErrorCode.UNAVAILABLE, 'connection refused', { network: true });
        posted.push(r);
      },
    },
    targets: {
      role: () => role,
      settings,
      refreshContent: async () => {},
      screenshot: async () => ({ status: 'done' }),
    },
    restart: () => {
      restarts++;
    },
    log,
    retryMs: 60_000,
  });
  await unit.start();
  unit.onWelcome(new Date().toISOString());
  return { unit, posted, identified, settings, stateFile, records, restarts: () => restarts };
}

describe('the device command unit', () => {
  it('runs a command once, answers with a result signed by the device key, and refuses its replay', async () => {
    const w = await world();
    const env = command(1);
    await w.unit.handle({ type: 'command', envelope: env });
    expect(w.identified).toEqual([3]);
    expect(w.posted).toHaveLength(1);
    const r = w.posted[0]!;
    expect(r.payload).toMatchObject({ commandId: env.payload.id, deviceId, seq: 1, status: 'done' });
    expect(verifyCanonical(r.payload, r.sig, publicKey)).toBe(true);

    // The same envelope again (a reconnect re-delivers it): the stored result, not a second run.
    await w.unit.handle({ type: 'command', envelope: env });
    expect(w.identified).toEqual([3]);
    expect(w.posted.map((p) => p.payload)).toEqual([r.payload, r.payload]);

    // Another command with a used seq is a replay: rejected with its code, not run.
    const replay = command(1);
    await w.unit.handle({ type: 'command', envelope: replay });
    expect(w.identified).toEqual([3]);
    expect(w.posted.at(-1)?.payload).toMatchObject({
      commandId: replay.payload.id,
      status: 'rejected',
      code: ErrorCode.COMMAND_REPLAY,
    });
    // Not allowed on an LED sign.
    const reprint = command(2, { op: 'reprint-last-receipt', args: {} });
    await w.unit.handle({ type: 'command', envelope: reprint });
    expect(w.posted.at(-1)?.payload).toMatchObject({
      status: 'rejected',
      code: ErrorCode.COMMAND_OP_NOT_ALLOWED,
    });
  });

  it('keeps the highest seq across a restart, so an old command is refused after it', async () => {
    const first = await world();
    await first.unit.handle({ type: 'command', envelope: command(7) });
    await first.unit.stop();
    const again = await world({ stateFile: first.stateFile });
    await again.unit.handle({ type: 'command', envelope: command(6) });
    expect(again.identified).toEqual([]);
    expect(again.posted[0]?.payload).toMatchObject({ status: 'rejected', code: ErrorCode.COMMAND_REPLAY });
    await again.unit.handle({ type: 'command', envelope: command(8) });
    expect(again.identified).toEqual([3]);
  });

  it('re-sends results the control plane did not get, and drops what nobody signed', async () => {
    const w = await world({ failPosts: 1 });
    await w.unit.handle({
      type: 'command',
      envelope: command(1, { op: 'set-brightness', args: { level: 12 } }),
    });
    expect(w.posted).toHaveLength(0);
    expect(w.settings.get('led.brightness')).toEqual([{ from: '00:00', level: 12 }]);
    await w.unit.flush();
    expect(w.posted.map((p) => p.payload.status)).toEqual(['done']);
    expect(w.posted[0]?.payload.detail).toEqual({ level: 12, forSec: 3600 });
    await w.unit.flush();
    expect(w.posted).toHaveLength(1);

    const forged = signEnvelope(command(9).payload, generateSigningKey('fleet'));
    await w.unit.handle({ type: 'command', envelope: forged });
    expect(w.posted).toHaveLength(1);
    expect(w.records().some((r) => r.code === ErrorCode.KEY_UNKNOWN && /dropped/.test(String(r.msg)))).toBe(
      true,
    );
    // The forged seq 9 was not taken: a real seq 2 still runs.
    await w.unit.handle({ type: 'command', envelope: command(2) });
    expect(w.identified).toEqual([3]);
  });

  it('stores the result of a reboot before asking the runtime to restart', async () => {
    const w = await world({ failPosts: 5 });
    await w.unit.handle({ type: 'command', envelope: command(1, { op: 'reboot', args: {} }) });
    expect(w.restarts()).toBe(1);
    // Unsent (offline), but on disk: the restarted runtime sends it.
    const after = await world({ stateFile: w.stateFile });
    await after.unit.flush();
    expect(after.posted.map((p) => [p.payload.status, p.payload.detail])).toEqual([
      ['done', { restarting: true }],
    ]);
  });
});
