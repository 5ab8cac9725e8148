import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { Logger } from '../logger.js';
import type { Lang } from './print-text.js';

export interface SpeechOptions {
  /** Cache directory under the state dir (`<sha256>.wav`). */
  dir: string;
  log: Logger;
  /** The synthesiser; tests point it at a missing binary. */
  bin?: string;
  /** Cached files kept; the least recently used beyond this are removed. */
  maxFiles?: number;
  timeoutMs?: number;
}

export const MAX_SPEECH_CHARS = 1000;
/** espeak-ng voices: Mandarin, English. Speed a little below the default (175 wpm) for older listeners. */
const VOICE: Record<Lang, string> = { zh: 'cmn', en: 'en' };
const WPM = '150';
const FILE = /^([0-9a-f]{64})\.wav$/;

/**
 * Voice prompts synthesised on the device with espeak-ng (no network, no cloud). Each text is synthesised
 * once and cached by sha256(lang, text): the page plays the WAV with <audio>, so stop is pause and repeat is
 * play again. The text goes on stdin (never through a shell, never parsed as an option).
 */
export class Speech {
  readonly #o: SpeechOptions;
  #available: Promise<boolean> | undefined;
  readonly #inFlight = new Map<string, Promise<string>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: SpeechOptions) {
    this.#o = opts;
  }

  /** Whether espeak-ng runs here; asked once. */
  available(): Promise<boolean> {
    this.#available ??= run(this.#bin, ['--version'], '', 5_000).then(
      () => true,
      (err: Error) => {
        this.#o.log.warn({ err: err.message }, 'voice: espeak-ng is not available; voice prompts are off');
        return false;
      },
    );
    return this.#available;
  }

  get #bin(): string {
    return this.#o.bin ?? 'espeak-ng';
  }

  /** Synthesises (or finds in the cache) and returns the WAV's sha, its name without `.wav`. */
  async synthesize(text: string, lang: Lang): Promise<string> {
    const clean = text.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim();
    if (!clean || [...clean].length > MAX_SPEECH_CHARS) {
      throw new LinliError(
        ErrorCode.BAD_REQUEST,
        `text must have 1–${MAX_SPEECH_CHARS} characters to read aloud`,
        { field: 'text' },
      );
    }
    if (!(await this.available())) {
      throw new LinliError(
        ErrorCode.VOICE_UNAVAILABLE,
        '本机暂不支持语音播报。Voice prompts are not available on this kiosk (espeak-ng is not installed).',
      );
    }
    const sha = createHash('sha256').update(`${lang}\n${clean}`).digest('hex');
    const known = this.#inFlight.get(sha);
    if (known) return known;
    // One synthesis at a time: the device has few cores and a payment runs beside it.
    const job = this.#queue
      .catch(() => undefined)
      .then(() => this.#make(sha, clean, lang))
      .finally(() => this.#inFlight.delete(sha));
    this.#queue = job;
    this.#inFlight.set(sha, job);
    return job;
  }

  /** The cached WAV for `<sha>.wav`, or LINLI_ERR_NOT_FOUND. */
  async file(name: string): Promise<string> {
    const m = FILE.exec(name);
    const path = m ? join(this.#o.dir, `${m[1]}.wav`) : undefined;
    if (path && (await stat(path).catch(() => undefined))?.isFile()) return path;
    throw new LinliError(
      ErrorCode.NOT_FOUND,
      'no such speech file on this kiosk; ask for it again (POST /kiosk/api/speech)',
    );
  }

  async #make(sha: string, text: string, lang: Lang): Promise<string> {
    const final = join(this.#o.dir, `${sha}.wav`);
    const now = new Date();
    if (
      await utimes(final, now, now).then(
        () => true,
        () => false,
      )
    )
      return sha;
    await mkdir(this.#o.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.#o.dir, `.${sha}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await run(
        this.#bin,
        ['-v', VOICE[lang], '-s', WPM, '-w', tmp, '--stdin'],
        text,
        this.#o.timeoutMs ?? 20_000,
      );
      await checkWav(tmp);
      // Renamed only once complete: a reader never sees half a file, a crash leaves only a temp file.
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof LinliError) throw err;
      throw new LinliError(
        ErrorCode.VOICE_UNAVAILABLE,
        `语音合成失败。Speech synthesis failed (${(err as Error).message}); the text stays on screen.`,
      );
    }
    await this.#evict();
    return sha;
  }

  async #evict(): Promise<void> {
    const max = this.#o.maxFiles ?? 200;
    const names = (await readdir(this.#o.dir)).filter((n) => FILE.test(n));
    if (names.length <= max) return;
    const withTimes = await Promise.all(
      names.map(async (n) => ({
        n,
        t: (await stat(join(this.#o.dir, n)).catch(() => undefined))?.mtimeMs ?? 0,
      })),
    );
    withTimes.sort((a, b) => a.t - b.t);
    for (const { n } of withTimes.slice(0, names.length - max))
      await rm(join(this.#o.dir, n), { force: true });
  }
}

async function checkWav(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    const { size } = await fh.stat();
    if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE' || size <= 44) {
      throw new LinliError(ErrorCode.VOICE_UNAVAILABLE, 'espeak-ng produced no audio for this text');
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Runs a program with arguments (no shell), text on stdin; rejects on a non-zero exit or timeout. */
function run(bin: string, args: string[], input: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 2_000) stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`${bin} exited ${signal ?? code}${stderr ? `: ${stderr.trim().slice(0, 200)}` : ''}`),
        );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input, 'utf8');
  });
}
