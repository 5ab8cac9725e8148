/**
 * The device's estimate of the control plane's clock. A command's expiry is a server-clock time, so the
 * device compares it with this estimate, not with its own clock (which may be hours off before NTP). The
 * offset is learnt from each `serverTime` on the channel (welcome); it is off by at most the one-way delay.
 */
export class ServerClock {
  #offsetMs: number | undefined;
  readonly #local: () => number;

  constructor(local: () => number = Date.now) {
    this.#local = local;
  }

  /** A `serverTime` just received. */
  observe(serverIso: string): void {
    const server = Date.parse(serverIso);
    if (Number.isFinite(server)) this.#offsetMs = server - this.#local();
  }

  /** Known once the channel has welcomed us at least once. */
  get known(): boolean {
    return this.#offsetMs !== undefined;
  }

  get offsetMs(): number {
    return this.#offsetMs ?? 0;
  }

  now(): number {
    return this.#local() + this.offsetMs;
  }
}
