import { describe, expect, it } from 'vitest';
import { encodeReceipt } from '../encoder/receipt-encoder.js';
import { CN_80MM } from '../profiles.js';
import { PrinterSimulator } from './printer-simulator.js';

/**
 * How bytes are cut into reads is up to the medium (a pty coalesces writes, USB splits them): the simulator must
 * act the same for any cut. These feed it by hand, chunk by chunk, as a pty would.
 */
function rig(): { sim: PrinterSimulator; feed: (...parts: number[][]) => void; replies: number[] } {
  const sim = new PrinterSimulator({ profile: CN_80MM, render: false });
  const replies: number[] = [];
  let deliver: (chunk: Uint8Array) => void = () => undefined;
  sim.attach({
    send: async (b) => {
      replies.push(...b);
    },
    onData: (l) => {
      deliver = l;
      return () => undefined;
    },
  });
  return { sim, feed: (...parts) => deliver(Uint8Array.from(parts.flat())), replies };
}

const DLE_ENQ_2 = [0x10, 0x05, 0x02];
const dleEot = (n: number): number[] => [0x10, 0x04, n];
const job = async (id: string, text: string): Promise<number[]> => [
  ...(await encodeReceipt({ id, blocks: [{ kind: 'text', text }, { kind: 'cut' }] }, CN_80MM)),
];

describe('PrinterSimulator job names', () => {
  it('names receipts by the job id carried in the stream, made safe for a file name', async () => {
    const { sim, feed } = rig();
    feed(await job('pay_2024-001', '一'));
    feed(await job('../../etc/passwd', '二'));
    feed([0x1b, 0x40, 0x41, 0x0a, 0x1d, 0x56, 0x00]); // another host's job: no tag
    await sim.flush();
    expect(sim.receipts.map((r) => r.name)).toEqual(['pay_2024-001', '__.._etc_passwd', 'receipt-0001']);
  });
});

describe('PrinterSimulator real-time commands', () => {
  it('a DLE ENQ 2 clears what came before it, not the next job read in the same chunk', async () => {
    const { sim, feed } = rig();
    sim.runOutOfPaperAfter(1);
    feed(await job('a', '第一行\n第二行\n第三行'));
    expect(sim.paper).toBe('out');
    feed(DLE_ENQ_2); // the host drops the half job while the printer is stopped
    sim.setPaper('ok');
    // The host's second clear and the reprint coalesce into one read, as over a pty.
    feed(DLE_ENQ_2, await job('b', '重印'));
    await sim.flush();
    expect(sim.receipts.map((r) => [r.complete, r.text.join('|')])).toEqual([
      [false, '第一行'],
      [true, '重印'],
    ]);
  });

  it('a DLE ENQ 2 read together with the tail of an interrupted job clears that tail', async () => {
    const { sim, feed } = rig();
    sim.runOutOfPaperAfter(1);
    const bytes = await job('a', '第一行\n第二行\n第三行');
    const firstLine = bytes.indexOf(0x0a) + 1;
    feed(bytes.slice(0, firstLine));
    expect(sim.paper).toBe('out');
    feed(bytes.slice(firstLine), DLE_ENQ_2);
    sim.setPaper('ok');
    await sim.flush();
    expect(sim.receipts.map((r) => [r.complete, r.text.join('|')])).toEqual([[false, '第一行']]);
  });

  it('answers a DLE EOT split across reads, also while offline with its buffer held', () => {
    const { sim, feed, replies } = rig();
    sim.setPaper('out');
    feed([0x41, 0x42, 0x10]);
    feed([0x04]);
    expect(replies).toEqual([]);
    feed([0x04]);
    expect(replies).toEqual([sim.realtimeByte(4)]);
    expect(replies[0]! & 0x60).toBe(0x60); // paper end
  });

  it('answers real-time commands once, though their bytes also sit in the receive buffer', () => {
    const { feed, replies } = rig();
    feed(dleEot(1), dleEot(2), [0x41, 0x0a], dleEot(3));
    expect(replies).toHaveLength(3);
  });
});
