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

  it('names the env variable or flag, what it must be, and the value as typed', () => {
    expect(() => loadConfig({}, { LINLI_PORT: 'eighty' })).toThrow(
      'LINLI_PORT must be an integer 0–65535, got "eighty"',
    );
    expect(() => loadConfig({ port: '8O8O' }, { LINLI_PORT: '80' }, true)).toThrow(
      '--port must be an integer 0–65535, got "8O8O"',
    );
    // Every bad value at once, each named by where it came from.
    const all = (() => {
      try {
        loadConfig(
          { publicUrl: 'ftp://x', logLevel: 'loud' },
          {
            LINLI_AUTO_INIT_KEYS: 'maybe',
            LINLI_SIM_ACCOUNTS: '-1',
            LINLI_SIM_FAULTS: '{"biller":{"downRate":5}}',
          },
          true,
        );
      } catch (err) {
        return (err as LinliError).message;
      }
    })();
    expect(all).toContain('LINLI_AUTO_INIT_KEYS must be true or false, got "maybe"');
    expect(all).toContain('LINLI_SIM_ACCOUNTS must be an integer 0–100000, got "-1"');
    expect(all).toContain('LINLI_SIM_FAULTS must be valid (');
    expect(all).toContain('--public-url must be an http:// or https:// URL');
    expect(all).toContain('got "ftp://x"');
    expect(all).toContain(
      '--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    // Values set in code are named by their field.
    expect(() => loadConfig({ heartbeatSec: 1 }, {})).toThrow(
      'config field "heartbeatSec" must be an integer 5–3600, got 1',
    );
  });
});

describe('PostgreSQL settings', () => {
  it('reads the store URL from LINLI_PG_URL or --pg, SQLite when neither is set', () => {
    expect(loadConfig({}, {}).pg).toBeUndefined();
    expect(loadConfig({}, {}).pgSchema).toBe('public');
    const env = { LINLI_PG_URL: 'postgres://linli@db:5432/linli', LINLI_PG_SCHEMA: 'city_a' };
    expect(loadConfig({}, env)).toMatchObject({ pg: 'postgres://linli@db:5432/linli', pgSchema: 'city_a' });
    expect(loadConfig({ pg: 'postgresql://x@y/z' }, env, true).pg).toBe('postgresql://x@y/z');
    expect(describeConfig()).toContain('env LINLI_PG_URL, flag --pg');
  });

  it('refuses a URL that is not postgres:// without echoing its password, and a bad schema name', () => {
    const bad = (overrides: Record<string, unknown>, env = {}) => {
      try {
        loadConfig(overrides, env, true);
      } catch (err) {
        return err as LinliError;
      }
      throw new Error('expected a refusal');
    };
    const e = bad({ pg: 'mysql://linli:hunter2@db/linli' });
    expect(e.code).toBe(ErrorCode.CONFIG_INVALID);
    expect(e.message).toContain('--pg must be a postgres:// URL');
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toContain('mysql://linli:***@db/linli');
    expect(bad({}, { LINLI_PG_URL: 'nonsense' }).message).toContain('LINLI_PG_URL must be');
    expect(bad({ pgSchema: 'Drop Table' }).details).toEqual({ field: 'pgSchema' });
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
