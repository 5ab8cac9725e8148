import { mkdir, mkdtemp, rm, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardReaderSimulator } from '../../device-drivers/card-reader/sim/card-reader-simulator.js';
import type { CardRead, CardReader } from '../../device-drivers/contracts/card-reader.js';
import type { ReceiptPrinter } from '../../device-drivers/contracts/receipt-printer.js';
import { createDeviceManager, type DeviceManager } from '../../device-drivers/index.js';
import { CN_80MM } from '../../device-drivers/receipt-printer/profiles.js';
import { PrinterSimulator } from '../../device-drivers/receipt-printer/sim/printer-simulator.js';
import { hasSocat, missing } from '../helpers/requirements.js';
import { simBehindPty } from './harness.js';

/**
 * Serial hotplug for real: each "plug" is a new socat pty pair (a new /dev/pts/N, like a new /dev/ttyUSBn) with a
 * simulator on the device end, and a symlink in a temp dir standing in for udev's /dev/serial/by-id entry.
 * "Unplug" ends socat (the tty vanishes, the link dangles) and removes the link, as udev does.
 */
interface Plugged<S> {
  readonly sim: S;
  readonly tty: string;
  pull(): Promise<void>;
}

async function plug<S extends { attach: PrinterSimulator['attach'] }>(
  link: string,
  sim: S,
  baudRate: number,
): Promise<Plugged<S>> {
  const p = await simBehindPty(sim, baudRate);
  await symlink(p.hostPath, link);
  return {
    sim,
    tty: p.hostPath,
    async pull() {
      await p.close();
      await unlink(link).catch(() => undefined);
    },
  };
}

describe.skipIf(missing('socat', hasSocat()))('DeviceManager with serial devices on real ptys', () => {
  let byId: string;
  let manager: DeviceManager | undefined;
  const plugged: Plugged<unknown>[] = [];

  beforeEach(async () => {
    byId = join(await mkdtemp(join(tmpdir(), 'linli-serial-')), 'by-id');
    await mkdir(byId);
  });
  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
    for (const p of plugged.splice(0)) await p.pull();
    await rm(join(byId, '..'), { recursive: true, force: true });
  });

  it('opens a printer when its by-id link appears, closes it on unplug, reopens on replug', async () => {
    const path = join(byId, 'usb-Linli_Sim_Printer_0001-if00-port0');
    manager = createDeviceManager({
      peripherals: [
        { id: 'printer', kind: 'receipt-printer', path, baudRate: 115200, options: { profile: 'cn-80mm' } },
      ],
      serialPollMs: 100,
    });
    const log: string[] = [];
    manager.on('attached', (e) => log.push(`attached ${e.address}`));
    manager.on('detached', (e) => log.push(`detached ${e.address}`));
    manager.on('error', (e) => log.push(`error ${e.error.code}`));
    await manager.start();
    expect(manager.get('printer')).toBeUndefined();

    const first = await plug(path, new PrinterSimulator({ profile: CN_80MM, render: false }), 115200);
    plugged.push(first);
    await expect.poll(() => manager!.get('printer'), { timeout: 5000 }).toBeDefined();
    const printer = manager.get<ReceiptPrinter>('printer')!;
    expect(printer.info.address).toBe(`serial:${path}`);
    await expect(
      printer.print({ id: 'pty-1', blocks: [{ kind: 'text', text: '第一台' }, { kind: 'cut' }] }),
    ).resolves.toMatchObject({ outcome: 'printed' });

    await first.pull();
    await expect.poll(() => manager!.get('printer'), { timeout: 5000 }).toBeUndefined();
    expect(printer.state).toBe('closed');

    const second = await plug(path, new PrinterSimulator({ profile: CN_80MM, render: false }), 115200);
    plugged.push(second);
    await expect.poll(() => manager!.get('printer'), { timeout: 5000 }).toBeDefined();
    const again = manager.get<ReceiptPrinter>('printer')!;
    await expect(
      again.print({ id: 'pty-2', blocks: [{ kind: 'text', text: '又回来了' }, { kind: 'cut' }] }),
    ).resolves.toMatchObject({ outcome: 'printed' });
    await second.sim.flush();
    expect(second.sim.receipts.map((r) => r.text[0])).toEqual(['又回来了']);
    expect(log).toEqual([`attached serial:${path}`, `detached serial:${path}`, `attached serial:${path}`]);
  });

  it('attaches what is already plugged in at start, ignores a dangling link, and passes data through', async () => {
    const readerPath = join(byId, 'usb-Linli_Sim_Card_Reader_0002-if00-port0');
    const ghost = join(byId, 'usb-Linli_Sim_Terminal_0003-if00-port0');
    const reader = await plug(readerPath, new CardReaderSimulator(), 9600);
    plugged.push(reader);
    await symlink('/dev/pts/linli-no-such-tty', ghost);
    manager = createDeviceManager({
      peripherals: [
        { id: 'card-reader', kind: 'card-reader', path: readerPath },
        { id: 'terminal', kind: 'payment-terminal', path: ghost },
      ],
      serialPollMs: 100,
    });
    await manager.start();
    expect(manager.status().map((s) => [s.id, s.state])).toEqual([
      ['card-reader', 'attached'],
      ['terminal', 'waiting'],
    ]);
    const reads: CardRead[] = [];
    manager.get<CardReader>('card-reader')!.on('data', (d) => reads.push(d));
    await reader.sim.presentIc('04A224B2C35E80');
    await expect.poll(() => reads).toEqual([expect.objectContaining({ kind: 'ic', uid: '04A224B2C35E80' })]);
    await manager.stop();
    expect(manager.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
  });
});
