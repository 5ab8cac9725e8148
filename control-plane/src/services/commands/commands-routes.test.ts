import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../../protocol/api.js';
import { signCanonical, verifyEnvelope } from '../../../../protocol/envelope.js';
import { ErrorCode } from '../../../../protocol/errors.js';
import type { CommandView } from '../../../../protocol/schemas/commands.js';
import type { Command, CommandResult } from '../../../../protocol/schemas/fleet.js';
import { openChannel } from '../../testing/channel-client.js';
import { createHarness, type Harness } from '../../testing/harness.js';
import { scopedAdmin } from '../../testing/scoped-admin.js';
import { TestDevice } from '../../testing/test-device.js';

let h: Harness;
let wsUrl: string;
let communityId: string;
let neighbourId: string;

beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  wsUrl = `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}${API.deviceChannel}`;
  communityId = (await h.community('commands')).community.id;
  neighbourId = (await h.community('elsewhere')).community.id;
});
afterAll(() => h.close());

async function device(role: 'lobby' | 'led' | 'kiosk', nodeId = communityId): Promise<TestDevice> {
  const dev = new TestDevice();
  await dev.enroll(h.app, (await h.token(nodeId, role)).token, role);
  return dev;
}

const send = (devId: string, payload: Record<string, unknown>) =>
  h.admin({ method: 'POST', url: API.deviceCommands(devId), payload });

/** What the device does first: check the fleet signature; the test then reads the payload. */
function opened(msg: Record<string, unknown>): Command {
  expect(msg.type).toBe('command');
  return verifyEnvelope<Command>(msg.envelope, h.app.keys.keyring, { type: 'linli.command/v1' });
}

function result(dev: TestDevice, cmd: Command, over: Partial<CommandResult> = {}) {
  const payload: CommandResult = {
    type: 'linli.command-result/v1',
    commandId: cmd.id,
    deviceId: dev.id,
    seq: cmd.seq,
    status: 'done',
    at: new Date(h.clock.now()).toISOString(),
    ...over,
  };
  return { payload, sig: signCanonical(payload, dev.privateKey) };
}

const postResult = (dev: TestDevice, body: unknown) =>
  dev.call(h.app, { method: 'POST', url: API.deviceCommandResult, payload: body as Record<string, unknown> });

describe('remote commands', () => {
  it('signs, sends at once to an online device, and records its signed result once', async () => {
    const dev = await device('led');
    const c = await openChannel(wsUrl, dev);
    const res = await send(dev.id, { op: 'set-brightness', args: { level: 16 } });
    expect(res.statusCode).toBe(202);
    const view = res.json() as CommandView;
    expect(view).toMatchObject({ op: 'set-brightness', state: 'sent', seq: 1, createdBy: 'admin' });
    // Defaults filled in before signing; the expiry is the default 10 minutes on the server clock.
    expect(view.args).toEqual({ level: 16, forSec: 3600 });
    expect(Date.parse(view.expiresAt) - Date.parse(view.issuedAt)).toBe(600_000);
    const cmd = opened(await c.next('command'));
    expect(cmd).toMatchObject({ id: view.id, deviceId: dev.id, seq: 1, op: 'set-brightness' });

    const body = result(dev, cmd, { detail: { level: 16 } });
    const first = await postResult(dev, body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ recorded: true, state: 'done' });
    // A re-post (the device retrying after a lost answer), even with another status, changes nothing.
    const again = await postResult(dev, result(dev, cmd, { status: 'failed' }));
    expect(again.json()).toEqual({ recorded: false, state: 'done' });
    const got = await h.admin({ method: 'GET', url: API.command(view.id) });
    expect(got.json()).toMatchObject({ state: 'done', result: { status: 'done', detail: { level: 16 } } });
    expect((got.json() as CommandView).doneAt).not.toBeNull();
    await c.close();
  });

  it('refuses a result whose signature is not the device key, or that names another device', async () => {
    const dev = await device('lobby');
    const other = await device('lobby');
    const c = await openChannel(wsUrl, dev);
    const view = (await send(dev.id, { op: 'identify' })).json() as CommandView;
    const cmd = opened(await c.next('command'));
    // Signed by another device's key: the command stays unanswered.
    const forged = { ...result(dev, cmd), sig: result(other, cmd).sig };
    const bad = await postResult(dev, forged);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: ErrorCode.COMMAND_RESULT_SIGNATURE } });
    // Tampered payload under a good signature.
    const good = result(dev, cmd);
    const tampered = await postResult(dev, { ...good, payload: { ...good.payload, status: 'failed' } });
    expect(tampered.json()).toMatchObject({ error: { code: ErrorCode.COMMAND_RESULT_SIGNATURE } });
    // Another device posting its own well-signed answer for this command: like an unknown command.
    const stranger = await postResult(other, result(other, cmd));
    expect(stranger.statusCode).toBe(404);
    expect((await h.admin({ method: 'GET', url: API.command(view.id) })).json()).toMatchObject({
      state: 'sent',
      result: null,
    });
    expect((await postResult(dev, good)).json()).toEqual({ recorded: true, state: 'done' });
    await c.close();
  });

  it('keeps a command pending while the device is offline and sends it, in seq order, when it connects', async () => {
    const dev = await device('lobby');
    const a = (await send(dev.id, { op: 'refresh-content' })).json() as CommandView;
    const b = (await send(dev.id, { op: 'identify', args: { seconds: 5 } })).json() as CommandView;
    expect([a.state, b.state]).toEqual(['pending', 'pending']);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    const c = await openChannel(wsUrl, dev);
    const first = opened(await c.next('command'));
    const second = opened(await c.next('command'));
    expect([first.id, second.id]).toEqual([a.id, b.id]);
    await expect
      .poll(
        async () => ((await h.admin({ method: 'GET', url: API.command(a.id) })).json() as CommandView).state,
      )
      .toBe('sent');
    const list = (await h.admin({ method: 'GET', url: API.deviceCommands(dev.id) })).json() as {
      commands: CommandView[];
    };
    expect(list.commands.map((x) => x.id)).toEqual([b.id, a.id]);
    await c.close();
  });

  it('expires a queued command on the server clock and never sends it', async () => {
    const dev = await device('lobby');
    const view = (await send(dev.id, { op: 'reboot', ttlSec: 30 })).json() as CommandView;
    expect(view.state).toBe('pending');
    h.clock.advance(31_000);
    // Shown expired at once, made durable by the sweep.
    expect((await h.admin({ method: 'GET', url: API.command(view.id) })).json()).toMatchObject({
      state: 'expired',
    });
    expect(await h.app.services.commands.sweep()).toContain(view.id);
    expect((await h.repo.commands.get(view.id))?.state).toBe('expired');
    const c = await openChannel(wsUrl, dev);
    // A command sent after connecting arrives; the expired one never did.
    const later = (await send(dev.id, { op: 'identify' })).json() as CommandView;
    expect(opened(await c.next('command')).id).toBe(later.id);
    expect(c.messages.filter((m) => m.type === 'command')).toEqual([]);
    await c.close();
  });

  it('validates op for the role, args and ttl, with coded errors', async () => {
    const lobby = await device('lobby');
    const noPrinter = await send(lobby.id, { op: 'reprint-last-receipt' });
    expect(noPrinter.statusCode).toBe(400);
    expect(noPrinter.json()).toMatchObject({ error: { code: ErrorCode.COMMAND_OP_NOT_ALLOWED } });
    const kiosk = await device('kiosk');
    const loud = await send(kiosk.id, { op: 'set-volume', args: { level: 101 } });
    expect(loud.json()).toMatchObject({ error: { code: ErrorCode.COMMAND_ARGS_INVALID } });
    const extra = await send(kiosk.id, { op: 'reboot', args: { now: 1 } });
    expect(extra.json()).toMatchObject({ error: { code: ErrorCode.COMMAND_ARGS_INVALID } });
    const forever = await send(kiosk.id, { op: 'reboot', ttlSec: 999_999 });
    expect(forever.statusCode).toBe(400);
    const ok = await send(kiosk.id, { op: 'set-volume', args: { level: 20, forSec: 600 } });
    expect(ok.statusCode).toBe(202);
    expect(await h.repo.commands.listForDevice(kiosk.id, 10)).toHaveLength(1);
  });

  it('answers 404 outside the scope like an unknown device, and 403 to staff sending', async () => {
    const dev = await device('lobby', neighbourId);
    const local = await scopedAdmin(h, 'commands-local', 'admin', communityId);
    const outside = await local({
      method: 'POST',
      url: API.deviceCommands(dev.id),
      payload: { op: 'identify' },
    });
    expect(outside.statusCode).toBe(404);
    const unknown = await local({
      method: 'POST',
      url: API.deviceCommands('dev_01ARZ3NDEKTSV4RRFFQ69G5FAV'),
      payload: { op: 'identify' },
    });
    expect(outside.json()).toEqual({
      error: { ...unknown.json().error, message: outside.json().error.message },
    });
    expect((await local({ method: 'GET', url: API.deviceCommands(dev.id) })).statusCode).toBe(404);
    // A command of a device in scope is visible; outside the scope it is 404 too.
    const mine = (await send(dev.id, { op: 'identify' })).json() as CommandView;
    expect((await h.admin({ method: 'GET', url: API.command(mine.id) })).statusCode).toBe(200);
    expect((await local({ method: 'GET', url: API.command(mine.id) })).statusCode).toBe(404);

    const staff = await scopedAdmin(h, 'commands-staff', 'staff', neighbourId);
    const refused = await staff({
      method: 'POST',
      url: API.deviceCommands(dev.id),
      payload: { op: 'identify' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: ErrorCode.FORBIDDEN } });
    // Staff read.
    expect((await staff({ method: 'GET', url: API.deviceCommands(dev.id) })).statusCode).toBe(200);
    expect((await staff({ method: 'GET', url: API.command(mine.id) })).statusCode).toBe(200);
  });

  it('sends a kiosk screenshot as a signed command and returns the uploaded picture', async () => {
    const dev = await device('kiosk');
    const c = await openChannel(wsUrl, dev);
    const asked = h.admin({ method: 'POST', url: API.deviceScreenshot(dev.id), payload: {} });
    const cmd = opened(await c.next('command'));
    expect(cmd.op).toBe('screenshot');
    const up = await dev.call(h.app, {
      method: 'POST',
      url: API.deviceScreenshotUpload(cmd.id),
      payload: {
        capturedAt: new Date().toISOString(),
        images: [{ kind: 'lobby', png: 'iVBORw0KGgo=' }],
        errors: [],
      },
    });
    expect(up.statusCode).toBe(200);
    const res = await asked;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ deviceId: dev.id, images: [{ png: 'iVBORw0KGgo=' }] });
    expect((await postResult(dev, result(dev, cmd))).json()).toEqual({ recorded: true, state: 'done' });
    expect((await h.repo.commands.get(cmd.id))?.state).toBe('done');
    await c.close();
    // Offline: said at once, nothing queued for later.
    const offline = await h.admin({ method: 'POST', url: API.deviceScreenshot(dev.id), payload: {} });
    await expect.poll(() => h.app.cluster.notifier.isOnline(dev.id)).toBe(false);
    const again = await h.admin({ method: 'POST', url: API.deviceScreenshot(dev.id), payload: {} });
    expect([offline.statusCode, again.statusCode]).toContain(409);
    expect(again.json()).toMatchObject({ error: { code: ErrorCode.DEVICE_OFFLINE } });
  });
});
