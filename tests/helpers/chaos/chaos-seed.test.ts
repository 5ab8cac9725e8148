import { describe, expect, it } from 'vitest';
import { chaosSeed, seedNote, withSeed } from './chaos-seed.js';

describe('chaos seed', () => {
  it('takes LINLI_CHAOS_SEED when set, else a fresh one from the clock', () => {
    expect(chaosSeed({ LINLI_CHAOS_SEED: '424242' }, () => 1)).toBe(424242);
    expect(chaosSeed({ LINLI_CHAOS_SEED: '0' }, () => 1)).toBe(0);
    expect(chaosSeed({}, () => 1_765_000_123_456)).toBe(123_456);
    expect(chaosSeed({ LINLI_CHAOS_SEED: '' }, () => 7)).toBe(7);
  });

  it.each(['abc', '-1', '1.5', '4294967296', '1e3'])(
    'refuses LINLI_CHAOS_SEED=%s, naming the variable',
    (v) => {
      expect(() => chaosSeed({ LINLI_CHAOS_SEED: v })).toThrow(
        /LINLI_CHAOS_SEED must be an integer .* got "/,
      );
    },
  );

  it('tells how to replay', () => {
    expect(seedNote(77)).toBe(
      'chaos seed 77 (replay: LINLI_CHAOS_SEED=77 npx vitest run tests/system/payments-chaos)',
    );
  });

  it('puts the seed into the message of a failed assertion or a crash, and passes results through', async () => {
    await expect(withSeed(77, () => expect(1).toBe(2))).rejects.toThrow(
      /expected 1 to be 2[\s\S]*LINLI_CHAOS_SEED=77/,
    );
    await expect(
      withSeed(77, async () => {
        throw new Error('control plane did not start');
      }),
    ).rejects.toThrow(/control plane did not start\nchaos seed 77/);
    await expect(withSeed(77, async () => 'ok')).resolves.toBe('ok');
  });
});
