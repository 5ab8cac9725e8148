import { connect, type Socket } from 'node:net';

/** MQTT "remaining length": 7 bits per byte, high bit = more. */
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

const str = (s: string): Buffer => {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};

const packet = (type: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([type]), varint(body.length), body]);

/** A QoS 0 PUBLISH, framed once by the caller. */
export function publishPacket(topic: string, payload: Buffer): Buffer {
  return packet(0x30, Buffer.concat([str(topic), payload]));
}

/**
 * A minimal MQTT 3.1.1 client over `net`: CONNECT (clean session, keepalive off), SUBSCRIBE at QoS 0, and a
 * parser that hands each PUBLISH payload over with the time its chunk arrived. The raw-WebSocket receivers do
 * the same amount of work, so the two servers are compared, not two client libraries.
 */
export class RawMqtt {
  readonly socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #waiting: ((type: number) => void) | undefined;

  private constructor(
    socket: Socket,
    readonly onPublish: (payload: Buffer, at: number) => void,
  ) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
      this.#parse(at);
    });
  }

  static async open(
    port: number,
    clientId: string,
    topic: string | undefined,
    onPublish: (payload: Buffer, at: number) => void,
  ): Promise<RawMqtt> {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => {});
    const c = new RawMqtt(socket, onPublish);
    const connack = c.#next();
    socket.write(packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0x02, 0, 0]), str(clientId)])));
    if ((await connack) !== 0x20) throw new Error('mqtt: no CONNACK');
    if (topic !== undefined) {
      const suback = c.#next();
      socket.write(packet(0x82, Buffer.concat([Buffer.from([0, 1]), str(topic), Buffer.from([0])])));
      if ((await suback) !== 0x90) throw new Error('mqtt: no SUBACK');
    }
    return c;
  }

  #next(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('mqtt: broker did not answer')), 30_000);
      this.#waiting = (t) => {
        clearTimeout(timer);
        resolve(t);
      };
    });
  }

  #parse(at: number): void {
    let b = this.#buf;
    while (b.length >= 2) {
      let len = 0;
      let mul = 1;
      let i = 1;
      for (;;) {
        if (i >= b.length) {
          this.#buf = b;
          return;
        }
        const byte = b[i++]!;
        len += (byte & 0x7f) * mul;
        mul *= 128;
        if (!(byte & 0x80)) break;
      }
      if (b.length < i + len) break;
      const type = b[0]! & 0xf0;
      const body = b.subarray(i, i + len);
      b = b.subarray(i + len);
      if (type === 0x30) {
        const topicLen = body.readUInt16BE(0);
        this.onPublish(body.subarray(2 + topicLen), at);
      } else if (this.#waiting) {
        const w = this.#waiting;
        this.#waiting = undefined;
        w(type);
      }
    }
    this.#buf = b;
  }
}
