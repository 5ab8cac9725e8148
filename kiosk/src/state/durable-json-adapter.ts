import { copyFile, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import type { Adapter } from 'lowdb';
import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import { isValid } from '../../../protocol/validate.js';
import { type DurableFs, fsyncDir, removeStaleTemps, writeFileDurable } from './durable-file.js';

/**
 * What to do when the file exists but cannot be trusted (not JSON, or not matching its schema):
 * - `refuse`: copy it aside and throw LINLI_ERR_STATE_CORRUPT; the original stays where it is, so the runtime
 *   keeps refusing until a person looks. For anything that holds money (the payment journal).
 * - `quarantine`: move it aside, report it, and start from the defaults. For caches that the control plane
 *   can refill (verified notices).
 */
export type CorruptPolicy = 'refuse' | 'quarantine';

export interface DurableJsonAdapterOptions {
  corrupt: CorruptPolicy;
  /** Checked on every read; a file that parses but does not match is treated as corrupt. */
  schema?: TSchema;
  /** What the person reading a `refuse` error should do, e.g. "reconcile open payments first". */
  repairHint?: string;
  /** Called with the coded error when a quarantined file was moved aside. */
  onQuarantine?: (err: LinliError) => void;
  fs?: DurableFs;
  now?: () => Date;
}

/**
 * lowdb adapter that writes durably (see writeFileDurable) and reads robustly. lowdb's own JSONFile never
 * fsyncs, and JSONFilePreset silently switches to memory under NODE_ENV=test, so device state never uses
 * them.
 */
export class DurableJsonAdapter<T> implements Adapter<T> {
  readonly file: string;
  readonly #opts: DurableJsonAdapterOptions;
  /** Writes are serialised so two updates can never race their renames. */
  #queue: Promise<void> = Promise.resolve();

  constructor(file: string, options: DurableJsonAdapterOptions) {
    this.file = file;
    this.#opts = options;
  }

  async read(): Promise<T | null> {
    await removeStaleTemps(this.file, this.#opts.fs);
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      return this.#corrupt(`is not valid JSON (${(err as Error).message})`);
    }
    if (this.#opts.schema && !isValid(this.#opts.schema, data)) {
      return this.#corrupt('does not match the expected structure');
    }
    return data as T;
  }

  write(data: T): Promise<void> {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const next = this.#queue.then(() => writeFileDurable(this.file, text, { fs: this.#opts.fs }));
    // Keep the queue alive after a failed write; the caller still sees the failure.
    this.#queue = next.catch(() => {});
    return next;
  }

  async #corrupt(why: string): Promise<null> {
    const stamp = (this.#opts.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
    const aside = `${this.file}.corrupt-${stamp}`;
    if (this.#opts.corrupt === 'refuse') {
      await copyFile(this.file, aside);
      await fsyncDir(dirname(this.file), this.#opts.fs);
      throw new LinliError(
        ErrorCode.STATE_CORRUPT,
        `${this.file} ${why}; the device refuses to start rather than guess (a copy was kept as ${aside}). ` +
          (this.#opts.repairHint ?? 'Repair or remove the file, then restart.'),
        { file: this.file, keptAs: aside },
      );
    }
    await rename(this.file, aside);
    await fsyncDir(dirname(this.file), this.#opts.fs);
    this.#opts.onQuarantine?.(
      new LinliError(
        ErrorCode.STATE_CORRUPT,
        `${this.file} ${why}; moved aside to ${aside} and started from defaults (the control plane refills it)`,
        { file: this.file, keptAs: aside },
      ),
    );
    return null;
  }
}
