import { describe, expect, it } from 'vitest';
import { parseSettingsPatch } from './settings-patch.js';

describe('parseSettingsPatch', () => {
  it('splits sets and clears, and says what a bad value should be', () => {
    expect(parseSettingsPatch({ 'audio.volume': 5, 'log.level': null })).toEqual({
      set: { 'audio.volume': 5 },
      clear: ['log.level'],
    });
    expect(() => parseSettingsPatch({ 'audio.volume': 101 })).toThrow(/from 0 to 100/);
    expect(() => parseSettingsPatch({ 'voice.enabled': 'yes' })).toThrow(/true or false/);
    expect(() => parseSettingsPatch({ 'log.level': 'loud' })).toThrow(/one of "fatal"/);
    expect(() => parseSettingsPatch({ 'receipt.headerLines': ['a', 'b', 'c', 'd', 'e'] })).toThrow(
      /at most 4/,
    );
    expect(() => parseSettingsPatch({ 'audio.volume': 5 }, 'led')).toThrow(/means nothing to a led/);
  });
});
