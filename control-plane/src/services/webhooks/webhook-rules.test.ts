import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';
import { isLoopbackHost, validateWebhookUrl } from './webhook-url.js';

describe('webhook URLs', () => {
  it('accepts https anywhere and http only to loopback when allowed', () => {
    expect(validateWebhookUrl('https://pager.example.org/linli?x=1', false)).toBe(
      'https://pager.example.org/linli?x=1',
    );
    for (const url of [
      'http://127.0.0.1:9000/h',
      'http://127.9.9.9/h',
      'http://localhost/h',
      'http://[::1]:80/h',
    ]) {
      expect(validateWebhookUrl(url, true), url).toBe(new URL(url).toString());
      expect(() => validateWebhookUrl(url, false), url).toThrow(/must use https/);
    }
    for (const url of [
      'http://10.0.0.1/h',
      'http://128.0.0.1/h',
      'http://localhost.example.org/h',
      'http://[::2]/h',
    ]) {
      expect(() => validateWebhookUrl(url, true), url).toThrow(/only for 127\.0\.0\.1, ::1 or localhost/);
    }
    expect(() => validateWebhookUrl('https://a.example.org/#frag', true)).toThrow(/fragment/);
    expect(() => validateWebhookUrl('javascript:alert(1)', true)).toThrow(/https/);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(false);
  });
});

describe('retry backoff', () => {
  const o = { backoffBaseMs: 1000, backoffMaxMs: 10_000 };
  it('doubles from the base, is capped, and keeps 50–100 % of the wait', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, o, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect([1, 2, 5].map((n) => retryDelayMs(n, o, () => 0))).toEqual([500, 1000, 5000]);
    expect(retryDelayMs(40, o, () => 0.5)).toBe(7500);
  });
});
