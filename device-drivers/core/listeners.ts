/** A tiny listener set for transports: no EventEmitter, so a throwing listener cannot break the byte pump. */
export class Listeners<A extends unknown[]> {
  #set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    this.#set.add(listener);
    return () => {
      this.#set.delete(listener);
    };
  }

  emit(...args: A): void {
    for (const l of [...this.#set]) {
      try {
        l(...args);
      } catch (err) {
        // A bad listener must never kill the transport; surface it where Node reports stray errors.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  get size(): number {
    return this.#set.size;
  }
}
