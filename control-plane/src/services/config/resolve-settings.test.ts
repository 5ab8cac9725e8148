import { describe, expect, it } from 'vitest';
import { settingsForRole } from '../../../../protocol/schemas/device-settings.js';
import type { NodeRecord } from '../../storage/records.js';
import { resolveChain, resolveDevice, settingsObject } from './resolve-settings.js';

const node = (id: string, level: NodeRecord['level'], name: string, ancestry: string[]): NodeRecord => ({
  id,
  parentId: ancestry.at(-2) ?? null,
  level,
  name,
  timezone: 'Asia/Shanghai',
  ancestry,
  createdAt: 0,
});
const city = node('node_c', 'city', '市', ['node_c']);
const district = node('node_d', 'district', '区', ['node_c', 'node_d']);
const street = node('node_s', 'street', '街道', ['node_c', 'node_d', 'node_s']);
const community = node('node_m', 'community', '社区', ['node_c', 'node_d', 'node_s', 'node_m']);
const chain = [city, district, street, community];
const dev = { id: 'dev_k', role: 'kiosk' as const };

const byKey = (r: ReturnType<typeof resolveDevice>) => Object.fromEntries(r.map((x) => [x.key, x]));

describe('resolveDevice', () => {
  it('uses the default when no node and no override sets a key', () => {
    const r = byKey(resolveDevice(dev, chain, new Map(), new Map()));
    expect(r['idle.resetSec']).toEqual({
      key: 'idle.resetSec',
      here: undefined,
      inherited: { value: 90, source: { kind: 'default' } },
      effective: { value: 90, source: { kind: 'default' } },
    });
  });

  it('takes the nearest node: community over street over district over city', () => {
    const values = new Map([
      [
        'node_c',
        new Map<string, unknown>([
          ['idle.resetSec', 300],
          ['audio.volume', 10],
          ['log.level', 'warn'],
        ]),
      ],
      [
        'node_d',
        new Map<string, unknown>([
          ['idle.resetSec', 200],
          ['audio.volume', 20],
        ]),
      ],
      ['node_s', new Map<string, unknown>([['idle.resetSec', 120]])],
      ['node_m', new Map<string, unknown>([['idle.resetSec', 60]])],
    ]);
    const r = byKey(resolveDevice(dev, chain, values, new Map()));
    expect(r['idle.resetSec']?.effective).toEqual({
      value: 60,
      source: { kind: 'node', nodeId: 'node_m', level: 'community', name: '社区' },
    });
    expect(r['audio.volume']?.effective.source).toMatchObject({ nodeId: 'node_d', level: 'district' });
    expect(r['log.level']?.effective).toMatchObject({
      value: 'warn',
      source: { nodeId: 'node_c', level: 'city' },
    });
    // Without the community's value, the street's shows.
    values.delete('node_m');
    expect(byKey(resolveDevice(dev, chain, values, new Map()))['idle.resetSec']?.effective.value).toBe(120);
  });

  it('the device override wins, and the inherited value stays visible beside it', () => {
    const values = new Map([['node_s', new Map<string, unknown>([['audio.volume', 30]])]]);
    const r = byKey(resolveDevice(dev, chain, values, new Map([['audio.volume', 90]])));
    expect(r['audio.volume']).toEqual({
      key: 'audio.volume',
      here: 90,
      inherited: { value: 30, source: { kind: 'node', nodeId: 'node_s', level: 'street', name: '街道' } },
      effective: { value: 90, source: { kind: 'device', deviceId: 'dev_k' } },
    });
  });

  it('holds only the keys of the role, in catalogue order; a node value for another role is ignored', () => {
    const values = new Map([
      ['node_s', new Map<string, unknown>([['led.brightness', [{ from: '00:00', level: 1 }]]])],
    ]);
    const kiosk = resolveDevice(dev, chain, values, new Map());
    expect(kiosk.map((r) => r.key)).toEqual(settingsForRole('kiosk'));
    const led = resolveDevice({ id: 'dev_l', role: 'led' }, chain, values, new Map());
    expect(led.map((r) => r.key)).toEqual(settingsForRole('led'));
    expect(settingsObject(led)['led.brightness']).toEqual([{ from: '00:00', level: 1 }]);
  });

  it('settingsObject copies values, so a caller cannot change the cache through a target', () => {
    const list = ['qr'];
    const values = new Map([['node_c', new Map<string, unknown>([['payment.methods', list]])]]);
    const settings = settingsObject(resolveDevice(dev, chain, values, new Map()));
    (settings['payment.methods'] as string[]).push('terminal');
    expect(list).toEqual(['qr']);
  });
});

describe('resolveChain for a node', () => {
  it('a node inherits from above only, its own value is "here"', () => {
    const values = new Map([
      ['node_c', new Map<string, unknown>([['log.level', 'error']])],
      ['node_s', new Map<string, unknown>([['log.level', 'debug']])],
    ]);
    const [r] = resolveChain(
      [city, district],
      values,
      {
        values: values.get('node_s')!,
        source: { kind: 'node', nodeId: 'node_s', level: 'street', name: '街道' },
      },
      ['log.level'],
    );
    expect(r).toMatchObject({
      here: 'debug',
      inherited: { value: 'error', source: { nodeId: 'node_c' } },
      effective: { value: 'debug', source: { nodeId: 'node_s' } },
    });
  });
});
