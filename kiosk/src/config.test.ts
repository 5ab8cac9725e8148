import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/errors.js';
import { describeConfig, loadDeviceConfig, parseDeviceConfig } from './config.js';

describe('device config', () => {
  it('fills every default from the one schema', () => {
    const c = parseDeviceConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8090,
      logLevel: 'info',
      channel: { backoffBaseMs: 1000, backoffCapMs: 300_000 },
      led: { width: 128, height: 32, font: 'Noto Sans CJK SC' },
      peripherals: { printer: { transport: { kind: 'sim' } } },
    });
  });

  it('reads device.json, lets flags win, and names a bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'linli-config-'));
    const file = join(dir, 'device.json');
    await writeFile(file, JSON.stringify({ port: 9000, channel: { backoffCapMs: 1000 } }));
    const c = await loadDeviceConfig(file, { port: 9100, host: undefined });
    expect([c.port, c.host, c.channel.backoffCapMs, c.channel.backoffBaseMs]).toEqual([
      9100,
      '127.0.0.1',
      1000,
      1000,
    ]);

    await writeFile(file, JSON.stringify({ channel: { backofCapMs: 1000 } }));
    await expect(loadDeviceConfig(file)).rejects.toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      details: { field: 'channel.backofCapMs' },
    });
    await expect(loadDeviceConfig(file, {}).catch((e: Error) => e.message)).resolves.toContain(
      'channel.backofCapMs',
    );
    await writeFile(file, '{ not json');
    await expect(loadDeviceConfig(file)).rejects.toMatchObject({ code: ErrorCode.CONFIG_INVALID });
    expect(() => parseDeviceConfig({ port: 'eighty' })).toThrow(/port/);
  });

  it('bounds the touch UI timings (issue #6) and wants the idle warning before the reset', () => {
    expect(parseDeviceConfig({})).toMatchObject({
      idle: { resetSec: 90, warningSec: 20 },
      attract: { afterSec: 120 },
      voice: { defaultOn: true },
    });
    expect(parseDeviceConfig({ idle: { resetSec: 300, warningSec: 60 } }).idle).toEqual({
      resetSec: 300,
      warningSec: 60,
    });
    for (const [bad, field] of [
      [{ idle: { resetSec: 10 } }, 'idle.resetSec'],
      [{ idle: { warningSec: 1 } }, 'idle.warningSec'],
      [{ idle: { resetSec: 30, warningSec: 30 } }, 'idle.warningSec'],
      [{ attract: { afterSec: 1 } }, 'attract.afterSec'],
      [{ voice: { defaultOn: 'yes' } }, 'voice.defaultOn'],
      [{ idle: { resetSecs: 90 } }, 'idle.resetSecs'],
    ] as const) {
      expect(() => parseDeviceConfig(bad)).toThrow(
        expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, details: { field } }),
      );
    }
  });

  it('documents every option for --help', () => {
    const text = describeConfig().join('\n');
    for (const k of [
      'port',
      'channel.backoffCapMs',
      'content.pollIntervalMs',
      'led.font',
      'peripherals.printer',
      'idle.resetSec',
      'idle.warningSec',
      'attract.afterSec',
      'voice.defaultOn',
    ]) {
      expect(text).toContain(k);
    }
  });
});
