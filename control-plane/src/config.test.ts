import { describe, expect, it } from 'vitest';
import { ErrorCode, LinliError } from '../../protocol/errors.js';
import { describeConfig, loadConfig } from './config.js';

describe('control plane config', () => {
  it('has documented defaults', () => {
    const c = loadConfig({}, {});
    expect(c).toMatchObject({ dataDir: './data', port: 8080, host: '127.0.0.1', logLevel: 'info' });
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(describeConfig()).toContain('dataDir (default "./data")');
  });

  it('takes env over defaults and flags over env', () => {
    const env = {
      LINLI_DATA: '/srv/linli',
      LINLI_PORT: '9090',
      LINLI_HOST: '::1',
      LINLI_PUBLIC_URL: 'https://x.example/',
    };
    const fromEnv = loadConfig({}, env);
    expect(fromEnv).toMatchObject({
      dataDir: '/srv/linli',
      port: 9090,
      host: '::1',
      publicUrl: 'https://x.example',
    });
    const fromFlags = loadConfig({ dataDir: '/tmp/d', port: '7070', publicUrl: undefined }, env);
    expect(fromFlags).toMatchObject({ dataDir: '/tmp/d', port: 7070, publicUrl: 'https://x.example' });
    expect(loadConfig({}, { LINLI_HOST: '::1', LINLI_PORT: '1' }).publicUrl).toBe('http://[::1]:1');
  });

  it.each([
    [{ port: 'abc' }, 'port'],
    [{ port: 70_000 }, 'port'],
    [{ logLevel: 'loud' }, 'logLevel'],
    [{ publicUrl: 'ftp://x' }, 'publicUrl'],
    [{ dataDir: '' }, 'dataDir'],
    [{ surprise: true }, 'surprise'],
  ])('refuses %j naming the field', (overrides, field) => {
    try {
      loadConfig(overrides, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LinliError);
      expect((err as LinliError).code).toBe(ErrorCode.CONFIG_INVALID);
      expect((err as LinliError).details).toMatchObject({ field });
      expect((err as LinliError).message).toContain(field);
    }
  });

  it('names the env variable value that is wrong', () => {
    expect(() => loadConfig({}, { LINLI_PORT: 'eighty' })).toThrow(/"port".*eighty/);
  });
});

describe('signage settings', () => {
  it('reads LINLI_AUTO_INIT_KEYS, keeps the offline keys beside the data dir, and bounds TUF lifetimes', () => {
    const cfg = loadConfig({ dataDir: '/var/lib/linli/cp' }, { LINLI_AUTO_INIT_KEYS: 'false' });
    expect(cfg.autoInitKeys).toBe(false);
    expect(cfg.offlineKeysDir).toBe('/var/lib/linli/cp-offline-keys');
    expect(() => loadConfig({ tufTimestampTtlSec: 9_999_999_999_999 }, {})).toThrow(
      expect.objectContaining({ code: 'LINLI_ERR_CONFIG_INVALID', details: { field: 'tufTimestampTtlSec' } }),
    );
  });
});
