import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import { checksum, EOT, ETX, SOH, STX } from './alpha-protocol.js';

export type AlphaEvent =
  | {
      readonly kind: 'packet';
      readonly typeCode: number;
      readonly address: string;
      readonly body: Uint8Array;
    }
  | { readonly kind: 'error'; readonly error: DeviceError };

const MAX_PACKET = 64 * 1024;

/**
 * The sign side of the Alpha protocol (used by the simulator and the fuzz tests): finds SOH … EOT packets,
 * checks structure and checksum, and never throws. A bad packet is a coded PROTOCOL error (the sign NAKs it).
 */
export class AlphaParser {
  #buf: number[] = [];

  push(chunk: Uint8Array): AlphaEvent[] {
    const out: AlphaEvent[] = [];
    for (const b of chunk) {
      if (this.#buf.length === 0 && b !== SOH) continue; // NUL sync bytes and noise between packets
      if (b === SOH && this.#buf.length > 0) {
        // SOH never occurs inside a packet: the previous one lost its tail. Report it and start over.
        out.push(bad('packet cut short (no EOT before the next SOH)'));
        this.#buf = [];
      }
      this.#buf.push(b);
      if (b === EOT) {
        out.push(this.#decode(Uint8Array.from(this.#buf)));
        this.#buf = [];
      } else if (this.#buf.length > MAX_PACKET) {
        this.#buf = [];
        out.push(bad('packet longer than the sign buffer'));
      }
    }
    return out;
  }

  #decode(p: Uint8Array): AlphaEvent {
    // SOH type addr(2) STX body ETX cccc EOT
    if (p.length < 11 || p[4] !== STX) return bad('packet without header');
    const etx = p.length - 6;
    if (p[etx] !== ETX) return bad('packet without ETX before the checksum');
    const sent = Buffer.from(p.subarray(etx + 1, etx + 5)).toString('latin1');
    if (!/^[0-9A-F]{4}$/.test(sent)) return bad('checksum is not 4 hex digits');
    if (checksum(p.subarray(4, etx + 1)) !== sent) return bad('checksum mismatch');
    const address = Buffer.from(p.subarray(2, 4)).toString('latin1');
    if (!/^[0-9A-Fa-f]{2}$/.test(address)) return bad('address is not 2 hex digits');
    return { kind: 'packet', typeCode: p[1]!, address, body: p.subarray(5, etx) };
  }
}

function bad(what: string): AlphaEvent {
  return {
    kind: 'error',
    error: new DeviceError(DeviceErrorCode.PROTOCOL, `Alpha packet rejected: ${what}`, { what }),
  };
}
