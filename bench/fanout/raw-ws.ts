import { connect, type Socket } from 'node:net';

/**
 * A minimal WebSocket client over `net`: one upgrade request, unmasked server frames parsed in place, text
 * frames sent with a zero mask key (valid per RFC 6455, and it keeps the client's own cost near zero). Pings
 * are answered. It exists so the benchmark's receivers cost the same as the raw MQTT ones beside them.
 */
export class RawWs {
  readonly socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #upgraded = false;

  private constructor(
    socket: Socket,
    readonly onText: (text: Buffer, at: number, ws: RawWs) => void,
  ) {
    this.socket = socket;
  }

  static open(
    port: number,
    path: string,
    onText: (text: Buffer, at: number, ws: RawWs) => void,
  ): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      const ws = new RawWs(socket, onText);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      socket.on('data', (chunk: Buffer) => {
        const at = performance.now();
        ws.#buf = ws.#buf.length ? Buffer.concat([ws.#buf, chunk]) : chunk;
        if (!ws.#upgraded) {
          const end = ws.#buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          if (!ws.#buf.subarray(0, 12).toString().includes(' 101')) {
            reject(new Error(`upgrade refused: ${ws.#buf.subarray(0, end).toString()}`));
            socket.destroy();
            return;
          }
          ws.#upgraded = true;
          ws.#buf = ws.#buf.subarray(end + 4);
          socket.removeListener('error', reject);
          socket.on('error', () => {});
          resolve(ws);
        }
        ws.#parse(at);
      });
    });
  }

  #parse(at: number): void {
    let b = this.#buf;
    while (b.length >= 2) {
      const opcode = b[0]! & 0x0f;
      let len = b[1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        head = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        head = 10;
      }
      if (b.length < head + len) break;
      const payload = b.subarray(head, head + len);
      b = b.subarray(head + len);
      if (opcode === 1) this.onText(payload, at, this);
      else if (opcode === 9) this.#send(0x8a, payload);
      else if (opcode === 8) this.socket.end();
    }
    this.#buf = b;
  }

  sendText(text: string): void {
    this.#send(0x81, Buffer.from(text));
  }

  #send(first: number, payload: Buffer): void {
    const len = payload.length;
    const head = len < 126 ? 6 : 8;
    const frame = Buffer.alloc(head + len);
    frame[0] = first;
    if (len < 126) frame[1] = 0x80 | len;
    else {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(len, 2);
    }
    // Mask key 0: bytes 2..5 (or 4..7) stay zero, so the payload goes as is.
    payload.copy(frame, head);
    this.socket.write(frame);
  }
}
