import { mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCommand, missing } from '../../../tests/helpers/requirements.js';
import { silentLogger } from '../logger.js';
import { Speech } from './speech.js';

const dir = async () => join(await mkdtemp(join(tmpdir(), 'linli-speech-')), 'speech');

/** A RIFF/WAVE file whose data chunk holds audio. */
function expectWav(bytes: Buffer): void {
  expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
  expect(bytes.toString('latin1', 8, 12)).toBe('WAVE');
  const data = bytes.indexOf('data', 12, 'latin1');
  expect(data).toBeGreaterThan(0);
  const size = bytes.readUInt32LE(data + 4);
  expect(size).toBeGreaterThan(1_000);
  expect(bytes.subarray(data + 8, data + 8 + size).some((b) => b !== 0)).toBe(true);
}

/**
 * espeak-ng behind a wrapper that logs each synthesis (one line per call that writes a WAV), so "synthesised
 * once" is counted, not inferred from the files on disk.
 */
async function countingEspeak(d: string): Promise<{ bin: string; calls: () => Promise<string[]> }> {
  const root = join(d, '..');
  const log = join(root, 'calls.log');
  const bin = join(root, 'espeak-counting');
  await writeFile(log, '');
  await writeFile(
    bin,
    `#!/bin/sh\ncase " $* " in *" -w "*) echo "$*" >> '${log}' ;; esac\nexec espeak-ng "$@"\n`,
    { mode: 0o755 },
  );
  return { bin, calls: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
}

describe.skipIf(missing('espeak-ng', hasCommand('espeak-ng')))('voice prompts with espeak-ng', () => {
  it('synthesises Mandarin and English to cached WAV files named by hash', async () => {
    const d = await dir();
    const espeak = await countingEspeak(d);
    const speech = new Speech({ dir: d, log: silentLogger, bin: espeak.bin });
    expect(await speech.available()).toBe(true);
    const zh = await speech.synthesize('请选择缴费项目。', 'zh');
    expect(zh).toMatch(/^[0-9a-f]{64}$/);
    expectWav(await readFile(await speech.file(`${zh}.wav`)));
    const en = await speech.synthesize('Please choose a bill.', 'en');
    expect(en).not.toBe(zh);
    expectWav(await readFile(join(d, `${en}.wav`)));
    expect(await espeak.calls()).toHaveLength(2);
    // Same text, same language: the cached file, not a second synthesis; no temp files left behind.
    expect(await speech.synthesize('请选择缴费项目。', 'zh')).toBe(zh);
    expect(await espeak.calls()).toHaveLength(2);
    expect((await readdir(d)).sort()).toEqual([`${en}.wav`, `${zh}.wav`].sort());
    // Taps in a row: the same text asked at once is synthesised once, others wait their turn.
    const many = await Promise.all([
      speech.synthesize('请稍候', 'zh'),
      speech.synthesize('请稍候', 'zh'),
      speech.synthesize('Please wait', 'en'),
    ]);
    expect(many[0]).toBe(many[1]);
    expect(many[2]).not.toBe(many[0]);
    expect(new Set(await readdir(d)).size).toBe(4);
    // Two more syntheses, not three: the two taps on 请稍候 shared one.
    const calls = await espeak.calls();
    expect(calls).toHaveLength(4);
    expect(calls.filter((c) => c.includes('-v cmn'))).toHaveLength(2);
    // A text that looks like an option is read, not obeyed (it goes on stdin).
    expectWav(await readFile(join(d, `${await speech.synthesize('--help -w /etc/passwd', 'en')}.wav`)));
  });

  it('keeps the cache bounded, evicting the least recently used', async () => {
    const d = await dir();
    const speech = new Speech({ dir: d, log: silentLogger, maxFiles: 2 });
    const a = await speech.synthesize('一', 'zh');
    await utimes(join(d, `${a}.wav`), new Date(1_000), new Date(1_000));
    const b = await speech.synthesize('二', 'zh');
    const c = await speech.synthesize('三', 'zh');
    expect((await readdir(d)).sort()).toEqual([`${b}.wav`, `${c}.wav`].sort());
  });
});

describe('voice prompts without espeak-ng', () => {
  it('says voice is unavailable, refuses bad text and unknown files', async () => {
    const d = await dir();
    const speech = new Speech({ dir: d, log: silentLogger, bin: '/nonexistent/espeak-ng' });
    expect(await speech.available()).toBe(false);
    await expect(speech.synthesize('你好', 'zh')).rejects.toMatchObject({
      code: 'LINLI_ERR_VOICE_UNAVAILABLE',
    });
    await expect(speech.synthesize('x'.repeat(1001), 'zh')).rejects.toMatchObject({
      code: 'LINLI_ERR_BAD_REQUEST',
    });
    await expect(speech.synthesize(' \u0000 ', 'zh')).rejects.toMatchObject({
      code: 'LINLI_ERR_BAD_REQUEST',
    });
    await expect(speech.file('../../etc/passwd')).rejects.toMatchObject({ code: 'LINLI_ERR_NOT_FOUND' });
    await expect(speech.file(`${'a'.repeat(64)}.wav`)).rejects.toMatchObject({ code: 'LINLI_ERR_NOT_FOUND' });
  });

  it('refuses a synthesiser that writes no audio', async () => {
    const d = await dir();
    const fake = join(d, '..', 'fake-espeak');
    await writeFile(fake, '#!/bin/sh\ncat >/dev/null\nexit 0\n', { mode: 0o755 });
    const speech = new Speech({ dir: d, log: silentLogger, bin: fake });
    await expect(speech.synthesize('你好', 'zh')).rejects.toMatchObject({
      code: 'LINLI_ERR_VOICE_UNAVAILABLE',
    });
    expect(await readdir(d)).toEqual([]);
  });
});
