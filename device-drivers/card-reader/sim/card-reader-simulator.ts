import type { DevicePort } from '../../transports/sim-pair.js';

/** A serial card reader as seen from its wire: CR LF terminated reports, like the common 9600-baud modules. */
export class CardReaderSimulator {
  #port: DevicePort | undefined;

  attach(port: DevicePort): () => void {
    this.#port = port;
    return () => {
      this.#port = undefined;
    };
  }

  /** A resident card on the IC/NFC antenna (UID as uppercase hex). */
  presentIc(uid: string): Promise<void> {
    return this.#line(uid);
  }

  /** A magnetic-stripe swipe: ISO 7811 sentinels, a null track as the reader's error marker. */
  swipe(tracks: readonly (string | null)[]): Promise<void> {
    const [t1, t2, t3] = tracks;
    const parts = [
      t1 === undefined ? '' : t1 === null ? '%E?' : `%${t1}?`,
      t2 ? `;${t2}?` : '',
      t3 ? `;${t3}?` : '',
    ];
    return this.#line(parts.join(''));
  }

  /** Fault: a bank card swiped at the resident-card slot (the driver must refuse and drop it). */
  swipeBankCard(): Promise<void> {
    return this.#line('%B6222021234567890^ZHANG/SAN^2512101?;6222021234567890=2512101?');
  }

  /** Fault: line noise or the wrong baud rate. */
  sendGarbage(bytes: Uint8Array = Uint8Array.of(0xfe, 0x00, 0x81, 0x0d, 0x0a)): Promise<void> {
    return this.#port?.send(bytes) ?? Promise.resolve();
  }

  #line(text: string): Promise<void> {
    return this.#port?.send(Buffer.from(`${text}\r\n`, 'latin1')) ?? Promise.resolve();
  }
}
