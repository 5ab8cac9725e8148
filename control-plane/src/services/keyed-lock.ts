/**
 * Runs tasks for the same key one after another (different keys run concurrently). Used so a re-sent
 * payment request waits for the one still in flight instead of racing it; storage compare-and-set stays the
 * guarantee across processes, this only keeps one process from tripping over itself.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
