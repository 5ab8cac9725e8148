import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorEvent, StatusEvent } from '../../device-drivers/contracts/device.js';
import { isDeviceError } from '../../device-drivers/contracts/device-error.js';
import type { ReceiptJob, ReceiptPrinter } from '../../device-drivers/contracts/receipt-printer.js';
import { createReceiptPrinter, getSimulator, startDevice } from '../../device-drivers/index.js';
import { CN_80MM } from '../../device-drivers/receipt-printer/profiles.js';
import { PrinterSimulator } from '../../device-drivers/receipt-printer/sim/printer-simulator.js';
import { decodeQrRgba } from '../helpers/qr.js';
import { hasCjkFont, hasSocat, missing } from '../helpers/requirements.js';
import { type Backend, hardwarePort, type Rig, simBehindPty } from './harness.js';

const job = (id: string): ReceiptJob => ({
  id,
  blocks: [
    { kind: 'text', text: '幸福里社区 缴费凭证', align: 'center', bold: true, width: 2, height: 2 },
    { kind: 'table', columns: [{ width: 24 }, { width: 24, align: 'right' }], rows: [['水费', '¥128.50']] },
    { kind: 'qr', data: `https://linli.example/r/${id}`, size: 6 },
    { kind: 'cut' },
  ],
});

async function rig(backend: Backend): Promise<Rig<ReceiptPrinter, PrinterSimulator>> {
  if (backend === 'sim') {
    const device = await createReceiptPrinter({
      transport: { kind: 'sim' },
      profile: 'cn-80mm',
      recoveryTimeoutMs: 5000,
    });
    return { device, sim: getSimulator(device)?.printer, teardown: () => device.close() };
  }
  if (backend === 'pty') {
    const p = await simBehindPty(new PrinterSimulator({ profile: CN_80MM }), 115200);
    const device = await createReceiptPrinter({
      transport: { kind: 'serial', path: p.hostPath, baudRate: 115200 },
      profile: 'cn-80mm',
      recoveryTimeoutMs: 5000,
    });
    return {
      device,
      sim: p.sim,
      teardown: async () => {
        await device.close();
        await p.close();
      },
    };
  }
  const path = process.env.LINLI_HW_PRINTER!;
  const device = await createReceiptPrinter({
    transport: { kind: 'serial', path },
    profile: process.env.LINLI_HW_PRINTER_PROFILE ?? 'cn-80mm',
  });
  return { device, sim: undefined, teardown: () => device.close() };
}

function receiptPrinterContract(backend: Backend): void {
  describe(`ReceiptPrinter contract (${backend})`, () => {
    let r: Rig<ReceiptPrinter, PrinterSimulator>;
    beforeEach(async () => {
      r = await rig(backend);
    });
    afterEach(async () => {
      await r.teardown();
    });

    it('walks the lifecycle closed → idle and reports power online after enable', async () => {
      expect(r.device.state).toBe('closed');
      const statuses: StatusEvent[] = [];
      r.device.on('status', (s) => statuses.push(s));
      await startDevice(r.device);
      expect(r.device.state).toBe('idle');
      expect(r.device.power).toBe('online');
      expect(statuses.at(-1)?.flags).toMatchObject({ paperOut: false, coverOpen: false });
      await r.device.close();
      expect(r.device.state).toBe('closed');
    });

    it('refuses to print before enable with a coded error', async () => {
      await r.device.open();
      await expect(r.device.print(job('early'))).rejects.toMatchObject({ code: 'DEVICE_NOT_CLAIMED' });
    });

    it('prints a Chinese receipt and the printer confirms it', async () => {
      await startDevice(r.device);
      const res = await r.device.print(job('rcp-1'));
      expect(res).toMatchObject({ jobId: 'rcp-1', outcome: 'printed' });
      if (!r.sim) return;
      await r.sim.flush();
      // Named by the job id, which travels in the byte stream (so also behind a pty).
      expect(r.sim.receipts.at(-1)?.name).toBe('rcp-1');
      const text = r.sim.receipts.at(-1)?.text.join('\n') ?? '';
      expect(text).toContain('幸福里社区 缴费凭证');
      expect(text).toContain('￥128.50');
    });

    it.skipIf(backend === 'hardware')(
      'reports paper out before a job and rejects it when the app answers clear',
      async () => {
        await startDevice(r.device);
        r.sim!.setPaper('out');
        const errors: ErrorEvent[] = [];
        r.device.on('error', (e) => errors.push(e));
        await expect(r.device.print(job('rcp-2'))).rejects.toSatisfy((e) =>
          isDeviceError(e, 'DEVICE_PAPER_OUT'),
        );
        expect(errors[0]).toMatchObject({ locus: 'output', defaultResponse: 'clear' });
        expect(r.device.power).toBe('offline');
      },
    );

    it.skipIf(backend === 'hardware')(
      'reprints a job interrupted by paper out, with a REPRINT mark, once paper is back',
      async () => {
        await startDevice(r.device);
        r.sim!.runOutOfPaperAfter(1);
        const errors: ErrorEvent[] = [];
        r.device.on('error', (e) => errors.push(e));
        // The operator reloads once the printer has dropped the half receipt (the driver's DLE ENQ 2): tied to
        // that event, not to a timer, so a loaded machine cannot reorder the two.
        r.sim!.onReceipt((x) => {
          if (!x.complete) r.sim!.setPaper('ok');
        });
        const res = await r.device.print(job('rcp-3'));
        expect(res.outcome).toBe('reprinted');
        await r.sim!.flush();
        expect(r.sim!.receipts.map((x) => [x.name, x.complete])).toEqual([
          ['rcp-3.interrupted', false],
          ['rcp-3', true],
        ]);
        expect(r.sim!.receipts[1]!.text[0]).toContain('重印 REPRINT');
        expect(r.sim!.receipts[1]!.text.join('\n')).toContain('￥128.50');
        expect(errors.map((e) => e.error.code)).toEqual(['DEVICE_PAPER_OUT']);
      },
    );

    it.skipIf(backend === 'hardware')(
      'still reprints in full when paper is back before the driver drops the half job',
      async () => {
        await startDevice(r.device);
        r.sim!.runOutOfPaperAfter(1);
        const errors: ErrorEvent[] = [];
        r.device.on('error', (e) => {
          errors.push(e);
          // Synchronously, before the driver's DLE ENQ 2 goes out: the printer finishes the old job itself.
          if (e.error.code === 'DEVICE_PAPER_OUT') r.sim!.setPaper('ok');
        });
        const res = await r.device.print(job('rcp-4'));
        expect(res.outcome).toBe('reprinted');
        await r.sim!.flush();
        const last = r.sim!.receipts.at(-1)!;
        expect(last.complete).toBe(true);
        expect(last.text[0]).toContain('重印 REPRINT');
        // The old job's late GS r answer is expected, not reported as line noise.
        expect(errors.map((e) => e.error.code)).toEqual(['DEVICE_PAPER_OUT']);
      },
    );

    it.skipIf(backend === 'hardware')('reports the cover opening as a status change (ASB)', async () => {
      await startDevice(r.device);
      const seen: StatusEvent[] = [];
      r.device.on('status', (s) => seen.push(s));
      r.sim!.openCover();
      await expect.poll(() => seen.some((s) => s.flags.coverOpen === true)).toBe(true);
      r.sim!.closeCover();
      await expect.poll(() => seen.at(-1)?.flags.coverOpen).toBe(false);
    });

    it.skipIf(backend === 'hardware')(
      'survives garbage on the back channel and still answers status',
      async () => {
        await startDevice(r.device);
        const errors: ErrorEvent[] = [];
        r.device.on('error', (e) => errors.push(e));
        await r.sim!.sendGarbage();
        await expect.poll(() => errors.length).toBeGreaterThan(0);
        expect(errors[0]!.error.code).toBe('DEVICE_PROTOCOL_ERROR');
        await expect(r.device.queryStatus()).resolves.toMatchObject({ online: true });
      },
    );
  });
}

receiptPrinterContract('sim');
describe.skipIf(missing('socat', hasSocat()))('over a real pty pair', () => receiptPrinterContract('pty'));
describe.skipIf(!hardwarePort('printer'))('on real hardware', () => receiptPrinterContract('hardware'));

describe.skipIf(missing('fonts-noto-cjk', hasCjkFont()))('receipt PNG from the simulator', () => {
  it('carries a scannable QR and rendered Chinese glyphs', async () => {
    const printer = await createReceiptPrinter({ transport: { kind: 'sim' } });
    await startDevice(printer);
    await printer.print(job('png-1'));
    const sim = getSimulator(printer)!.printer!;
    await sim.flush();
    const png = sim.receipts.at(-1)!.png!;
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const qr = decodeQrRgba(
      new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
      info.width,
      info.height,
    );
    expect(qr).toBe('https://linli.example/r/png-1');
    // The title line (double size, top of the receipt) must have ink: boxes or blanks would mean no CJK font.
    const title = await sharp(png)
      .extract({ left: 0, top: 10, width: info.width, height: 50 })
      .greyscale()
      .raw()
      .toBuffer();
    const dark = title.filter((v) => v < 128).length;
    expect(dark / title.length).toBeGreaterThan(0.03);
    await printer.close();
  });
});

it('maps a missing serial port to NOT_FOUND through claim()', async () => {
  const p = await createReceiptPrinter({
    transport: { kind: 'serial', path: '/dev/linli-no-such-port' },
    claimTimeoutMs: 0,
  });
  await p.open();
  await expect(p.claim()).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
});
