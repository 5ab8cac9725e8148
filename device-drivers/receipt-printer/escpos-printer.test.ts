import { describe, expect, it } from 'vitest';
import { createReceiptPrinter, getSimulator, startDevice } from '../index.js';

describe('EscPosPrinter after an unplug', () => {
  it('reports detached, reconnects by itself, re-handshakes and prints again', async () => {
    const printer = await createReceiptPrinter({ transport: { kind: 'sim' } });
    await startDevice(printer);
    const sim = getSimulator(printer)!;
    const events: string[] = [];
    printer.on('detached', () => events.push('detached'));
    printer.on('attached', () => events.push('attached'));
    sim.link.unplug();
    expect(printer.power).toBe('off');
    await expect(
      printer.print({ id: 'while-unplugged', blocks: [{ kind: 'text', text: 'x' }] }),
    ).rejects.toMatchObject({
      code: 'DEVICE_OFFLINE',
    });
    sim.link.replug();
    await expect.poll(() => events, { timeout: 5000 }).toEqual(['detached', 'attached']);
    await expect.poll(() => printer.power).toBe('online');
    await expect(
      printer.print({ id: 'after', blocks: [{ kind: 'text', text: '恢复 ok' }, { kind: 'cut' }] }),
    ).resolves.toMatchObject({
      outcome: 'printed',
    });
    await printer.close();
  });

  it('rejects a malformed job with INVALID_ARGUMENT naming the block, before touching the printer', async () => {
    const printer = await createReceiptPrinter({ transport: { kind: 'sim' } });
    await startDevice(printer);
    await expect(
      printer.print({ id: 'bad', blocks: [{ kind: 'text', text: 'x', width: 9 }] }),
    ).rejects.toThrow('for job.blocks[0].width but received 9');
    await printer.close();
  });
});
