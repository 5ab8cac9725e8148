import type { CardReader, CardReaderEvents } from '../contracts/card-reader.js';
import type { DeviceInfo } from '../contracts/device.js';
import type { DeviceError } from '../contracts/device-error.js';
import type { Transport } from '../contracts/transport.js';
import { BaseDevice } from '../core/base-device.js';
import type { SupervisorOptions } from '../transports/supervisor.js';
import { CardLineFramer, parseCardText } from './card-parser.js';

export interface CardReaderOptions {
  readonly transport: Transport;
  readonly name?: string;
  readonly vendor?: string;
  readonly model?: string;
  readonly supervisor?: SupervisorOptions;
  /** NFC readers repeat the UID while the card lies on them; the same card within this window is one read. */
  readonly repeatWindowMs?: number;
}

/** Serial IC/NFC and magnetic-stripe readers: text reports in, `data` events out, bad reads as error events. */
export class SerialCardReader extends BaseDevice<CardReaderEvents> implements CardReader {
  readonly #framer = new CardLineFramer();
  readonly #repeatMs: number;
  #last: { key: string; at: number } | undefined;

  constructor(opts: CardReaderOptions) {
    const info: DeviceInfo = {
      name: opts.name ?? 'card-reader',
      kind: 'card-reader',
      ...(opts.vendor ? { vendor: opts.vendor } : {}),
      ...(opts.model ? { model: opts.model } : {}),
      address: opts.transport.info.address,
    };
    super({ info, transport: opts.transport, ...(opts.supervisor ? { supervisor: opts.supervisor } : {}) });
    this.#repeatMs = opts.repeatWindowMs ?? 1500;
  }

  /** Card readers of this class are mute: there is nothing to ask, so enabling only starts delivery. */
  protected async onEnable(): Promise<void> {}

  protected onBytes(chunk: Uint8Array): void {
    for (const item of this.#framer.push(chunk)) {
      if (item.kind === 'error') {
        this.raiseError(item.error, 'input_data', 'clear');
        continue;
      }
      if (!this.enabled) continue;
      try {
        const read = parseCardText(item.text);
        const key = read.kind === 'ic' ? read.uid : read.tracks.join('|');
        if (this.#last && this.#last.key === key && read.at - this.#last.at < this.#repeatMs) continue;
        this.#last = { key, at: read.at };
        this.emit('data', read);
      } catch (err) {
        this.raiseError(err as DeviceError, 'input_data', 'clear');
      }
    }
  }
}
