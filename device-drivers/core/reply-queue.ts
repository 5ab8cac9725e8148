import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';

/**
 * FIFO of outstanding requests whose replies carry no id (DLE EOT, GS r): the n-th reply answers the n-th
 * request. A timeout rejects with a TIMEOUT DeviceError that names what was awaited (zigbee-herdsman Waitress).
 */
export class ReplyQueue<T> {
  #pending: { resolve: (v: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  get size(): number {
    return this.#pending.length;
  }

  wait(what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#pending = this.#pending.filter((p) => p !== entry);
          reject(
            new DeviceError(DeviceErrorCode.TIMEOUT, `No answer to ${what} within ${timeoutMs} ms`, {
              what,
              timeoutMs,
            }),
          );
        }, timeoutMs),
      };
      this.#pending.push(entry);
    });
  }

  /** Returns false when nothing was waiting (an unsolicited reply). */
  resolve(value: T): boolean {
    const p = this.#pending.shift();
    if (!p) return false;
    clearTimeout(p.timer);
    p.resolve(value);
    return true;
  }

  rejectAll(err: Error): void {
    for (const p of this.#pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}

/** Runs async tasks one at a time in call order (a printer prints one job at a time). */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
