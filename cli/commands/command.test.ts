/** `linli command send|list|show` against a real control plane, a lobby screen on its channel. */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChannelClient, openChannel } from '../../control-plane/src/testing/channel-client.js';
import { createHarness, type Harness } from '../../control-plane/src/testing/harness.js';
import { TestDevice } from '../../control-plane/src/testing/test-device.js';
import { API } from '../../protocol/api.js';
import { signCanonical } from '../../protocol/envelope.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { Command, CommandResult } from '../../protocol/schemas/fleet.js';
import { command } from './command.js';

let h: Harness;
let url: string;
let channel: ChannelClient;
const lobby = new TestDevice();
const led = new TestDevice();

beforeAll(async () => {
  h = await createHarness();
  url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { community } = await h.community('cli-commands');
  await lobby.enroll(h.app, (await h.token(community.id, 'lobby')).token, 'lobby');
  await led.enroll(h.app, (await h.token(community.id, 'led')).token, 'led');
  channel = await openChannel(
    `ws://127.0.0.1:${(h.app.server.address() as AddressInfo).port}${API.deviceChannel}`,
    lobby,
  );
});
afterAll(async () => {
  await channel.close();
  await h.close();
});

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await command.run([...args, '--server', url, '--user', 'admin', '--password', h.password]);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

async function answer(status: CommandResult['status'], over: Partial<CommandResult> = {}) {
  const cmd = ((await channel.next('command')).envelope as { payload: Command }).payload;
  const payload: CommandResult = {
    type: 'linli.command-result/v1',
    commandId: cmd.id,
    deviceId: lobby.id,
    seq: cmd.seq,
    status,
    at: new Date().toISOString(),
    ...over,
  };
  await lobby.call(h.app, {
    method: 'POST',
    url: API.deviceCommandResult,
    payload: { payload, sig: signCanonical(payload, lobby.privateKey) },
  });
  return cmd;
}

describe('linli command', () => {
  it('sends to an online device and lists done and failed with their codes', async () => {
    const sent = await cli('send', '--device', lobby.id, '--op', 'identify', '--seconds', '5');
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/#1 {2}identify\(seconds=5\) {2}sent {2}by admin/);
    await answer('done');
    expect((await cli('send', '--device', lobby.id, '--op', 'restart-browser')).out).toContain('sent');
    await answer('failed', { code: ErrorCode.COMMAND_FAILED, message: 'no browser' });
    const list = await cli('list', '--device', lobby.id);
    const lines = list.out.trim().split('\n');
    expect(lines[0]).toMatch(
      /#2 {2}restart-browser {2}failed .* failed LINLI_ERR_COMMAND_FAILED: no browser$/,
    );
    expect(lines[1]).toMatch(/#1 {2}identify\(seconds=5\) {2}done .* done$/);
  });

  it('waits for the answer with --wait', async () => {
    const running = cli('send', '--device', lobby.id, '--op', 'refresh-content', '--wait');
    await answer('done');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').at(-1)).toMatch(/refresh-content {2}done/);
  });

  it('queues for an offline device as pending and shows it expired after its ttl', async () => {
    const sent = await cli(
      'send',
      '--device',
      led.id,
      '--op',
      'set-brightness',
      '--level',
      '16',
      '--for-sec',
      '600',
      '--ttl-sec',
      '60',
    );
    expect(sent.out).toMatch(/set-brightness\(level=16,forSec=600\) {2}pending/);
    const id = sent.out.split(' ')[0]!;
    h.clock.advance(61_000);
    expect((await cli('show', id)).out).toMatch(/ {2}expired {2}/);
    expect((await cli('list', '--device', led.id)).out).toContain('expired');
  });

  it("refuses bad input with the control plane's code, and a number that is no number locally", async () => {
    await expect(
      cli('send', '--device', led.id, '--op', 'set-brightness', '--level', '17'),
    ).rejects.toMatchObject({
      code: ErrorCode.COMMAND_ARGS_INVALID,
    });
    await expect(cli('send', '--device', led.id, '--op', 'set-volume', '--level', '5')).rejects.toMatchObject(
      {
        code: ErrorCode.COMMAND_OP_NOT_ALLOWED,
      },
    );
    await expect(
      cli('send', '--device', led.id, '--op', 'set-brightness', '--level', 'ten'),
    ).rejects.toMatchObject({
      code: ErrorCode.BAD_REQUEST,
    });
    await expect(cli('send', '--device', led.id, '--op', 'rm-rf')).rejects.toMatchObject({
      code: ErrorCode.BAD_REQUEST,
    });
  });
});
