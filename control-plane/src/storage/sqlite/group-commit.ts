import type { Database } from 'better-sqlite3';

interface Pending {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the payment path. With synchronous=FULL every COMMIT waits for an fsync, and
 * better-sqlite3 waits on the event loop's thread, so one commit per step caps a busy control plane at the
 * disk's fsync rate. Writes queued in the same turn of the event loop run as savepoints inside ONE
 * transaction: one fsync for the whole batch. Each caller's promise resolves only after that COMMIT
 * returned, so "persisted before the next action" still holds; a write that throws rolls back its own
 * savepoint only and rejects only its caller.
 */
export class GroupCommit {
  readonly #db: Database;
  #queue: Pending[] = [];
  #scheduled = false;
  /** Batches committed and writes in them, for the benchmark's fsyncs-per-payment figure. */
  readonly stats = { batches: 0, writes: 0 };

  constructor(db: Database) {
    this.#db = db;
  }

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    if (batch.length === 0 || !this.#db.open) {
      for (const p of batch) p.reject(new Error('the database is closed'));
      return;
    }
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      const all = this.#db.transaction(() => {
        for (const p of batch) {
          try {
            results.push({ ok: true, value: this.#db.transaction(p.fn)() });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
      });
      // IMMEDIATE takes the write lock at BEGIN, waiting out busy_timeout. Deferred, a batch that reads
      // first gets SQLITE_BUSY at once when another process took the lock meanwhile (seen with refunds).
      all.immediate();
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    this.stats.batches++;
    this.stats.writes += batch.length;
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(r.error);
    });
  }
}
