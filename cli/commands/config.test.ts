/** `linli config get|set|clear` against a real control plane, as a city IT admin runs it. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../control-plane/src/testing/harness.js';
import { TestDevice } from '../../control-plane/src/testing/test-device.js';
import { API } from '../../protocol/api.js';
import type { NodeView } from '../../protocol/schemas/admin.js';
import type { DeviceConfigView } from '../../protocol/schemas/config-admin.js';
import { command, parseAssignment } from './config.js';

let h: Harness;
let url: string;
let street: NodeView;
const kiosk = new TestDevice();

beforeAll(async () => {
  h = await createHarness();
  url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const nodes = await h.community('cli');
  street = nodes.street;
  await kiosk.enroll(h.app, (await h.token(nodes.community.id, 'kiosk')).token, 'kiosk');
});
afterAll(() => h.close());

async function cli(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    expect(await command.run([...args, '--server', url, '--user', 'admin', '--password', h.password])).toBe(
      0,
    );
  } finally {
    spy.mockRestore();
  }
  return out;
}

const effective = async (key: string) =>
  (
    (await h.admin({ method: 'GET', url: API.deviceConfigAdmin(kiosk.id) })).json() as DeviceConfigView
  ).settings.find((s) => s.key === key);

describe('linli config', () => {
  it('parses KEY=VALUE as JSON, a bare word as a string', () => {
    expect(parseAssignment('idle.resetSec=120')).toEqual(['idle.resetSec', 120]);
    expect(parseAssignment('ui.defaultLanguage=en')).toEqual(['ui.defaultLanguage', 'en']);
    expect(parseAssignment('payment.methods=["qr"]')).toEqual(['payment.methods', ['qr']]);
    expect(() => parseAssignment('idle.resetSec')).toThrow(/KEY=VALUE/);
  });

  it('sets on a street, the kiosk below inherits it, get shows the source; clear inherits again', async () => {
    const set = await cli('set', '--node', street.id, 'idle.resetSec=150', 'ui.defaultLanguage=en');
    expect(set).toMatch(/idle\.resetSec\s+= 150/);
    expect((await effective('idle.resetSec'))?.effective).toMatchObject({
      value: 150,
      source: { nodeId: street.id },
    });
    const got = await cli('get', '--device', kiosk.id);
    expect(got).toMatch(/idle\.resetSec\s+150 from street cli街道/);
    expect(got).toMatch(/ui\.defaultLanguage\s+"en" from street/);
    await cli('clear', '--node', street.id, 'idle.resetSec');
    expect((await effective('idle.resetSec'))?.effective).toEqual({ value: 90, source: { kind: 'default' } });
  });

  it('refuses a value off bounds with the server code and stores nothing', async () => {
    await expect(
      command.run([
        'set',
        '--device',
        kiosk.id,
        'idle.resetSec=5',
        '--server',
        url,
        '--password',
        h.password,
      ]),
    ).rejects.toMatchObject({ code: 'LINLI_ERR_SETTING_INVALID' });
    expect((await effective('idle.resetSec'))?.here).toBeNull();
    // Positive control: a good value on the device is stored as its override.
    await cli('set', '--device', kiosk.id, 'idle.resetSec=300');
    expect((await effective('idle.resetSec'))?.here?.value).toBe(300);
  });
});
