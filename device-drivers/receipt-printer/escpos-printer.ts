import type { DeviceInfo } from '../contracts/device.js';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type {
  PrinterStatusFlags,
  PrintResult,
  ReceiptJob,
  ReceiptPrinter,
  ReceiptPrinterEvents,
} from '../contracts/receipt-printer.js';
import type { Transport } from '../contracts/transport.js';
import { sleep } from '../core/backoff.js';
import { BaseDevice } from '../core/base-device.js';
import { ReplyQueue, SerialQueue } from '../core/reply-queue.js';
import type { SupervisorOptions } from '../transports/supervisor.js';
import * as cmd from './encoder/escpos.js';
import type { Rasterizer } from './encoder/raster-text.js';
import { encodeReceipt } from './encoder/receipt-encoder.js';
import type { PrinterProfile } from './profiles.js';
import {
  decodeAsb,
  decodeRealtime,
  decodeSensor,
  PrinterReplyParser,
  type StatusBits,
} from './status-parser.js';

export interface EscPosPrinterOptions {
  readonly transport: Transport;
  readonly profile: PrinterProfile;
  readonly name?: string;
  readonly supervisor?: SupervisorOptions;
  /** Wait for each DLE EOT answer. Default 1000 ms. */
  readonly statusTimeoutMs?: number;
  /** Wait for the end-of-job receipt (GS r) after the last byte. Default 30 s: long receipts on 9600 baud. */
  readonly printTimeoutMs?: number;
  /** How long a job waits for paper/cover to be fixed before it is given up (still reported). Default 10 min. */
  readonly recoveryTimeoutMs?: number;
  readonly rasterizer?: Rasterizer;
}

const READY_POLL_MS = 500;

/**
 * ESC/POS receipt printer. Status comes from the printer, not from hope: DLE EOT before each job, ASB while
 * printing, and GS r after the last line as the "it printed" receipt. A job that loses paper or has its cover
 * opened mid-way is cleared from the printer (DLE ENQ 2) and reprinted in full with a REPRINT mark once the
 * printer is ready again, unless the application answers the error event with `clear`.
 */
export class EscPosPrinter extends BaseDevice<ReceiptPrinterEvents> implements ReceiptPrinter {
  readonly profile: PrinterProfile;
  readonly #opts: EscPosPrinterOptions;
  readonly #parser = new PrinterReplyParser();
  readonly #realtime = new ReplyQueue<number>();
  readonly #sensor = new ReplyQueue<number>();
  readonly #jobs = new SerialQueue();
  readonly #status = new SerialQueue();
  #bits: Required<StatusBits> = {
    offline: false,
    coverOpen: false,
    paperOut: false,
    paperNearEnd: false,
    error: false,
  };
  #changeWaiters = new Set<() => void>();
  #lastGarbageReport = 0;
  /** GS r sent with a job that was then abandoned: if paper came back before DLE ENQ 2, its answer still comes. */
  #abandonedSensorQueries = 0;

  constructor(opts: EscPosPrinterOptions) {
    const info: DeviceInfo = {
      name: opts.name ?? 'receipt-printer',
      kind: 'receipt-printer',
      vendor: opts.profile.vendor,
      model: opts.profile.model,
      address: opts.transport.info.address,
    };
    super({ info, transport: opts.transport, ...(opts.supervisor ? { supervisor: opts.supervisor } : {}) });
    this.profile = opts.profile;
    this.#opts = opts;
  }

  get columns(): number {
    return this.profile.columns;
  }

  get statusFlags(): PrinterStatusFlags {
    return this.#flagsView();
  }

  protected async onEnable(): Promise<void> {
    this.#parser.reset();
    this.#abandonedSensorQueries = 0;
    if (this.profile.asb) await this.link.write(cmd.asb(cmd.ASB_ALL));
    await this.queryStatus();
  }

  protected override async onDisable(): Promise<void> {
    if (this.profile.asb && this.link.isOpen) await this.link.write(cmd.asb(0));
  }

  protected override onDetach(err: Error): void {
    const e = new DeviceError(DeviceErrorCode.OFFLINE, `${this.info.name} was disconnected`, {
      cause: err.message,
    });
    this.#realtime.rejectAll(e);
    this.#sensor.rejectAll(e);
    this.#notifyChange();
  }

  protected onBytes(chunk: Uint8Array): void {
    for (const r of this.#parser.push(chunk)) {
      if (r.kind === 'realtime') {
        if (!this.#realtime.resolve(r.byte)) this.#garbage('an unrequested DLE EOT answer');
      } else if (r.kind === 'sensor') {
        if (this.#sensor.resolve(r.byte)) continue;
        if (this.#abandonedSensorQueries > 0) this.#abandonedSensorQueries--;
        else this.#garbage('an unrequested GS r answer');
      } else if (r.kind === 'asb') {
        this.#apply(decodeAsb(r.bytes));
      } else {
        this.#garbage(r.error.message);
      }
    }
  }

  /** DLE EOT 1–4, asked now. Serialised: replies carry no id, so one query set at a time. */
  queryStatus(): Promise<PrinterStatusFlags> {
    return this.#status.run(async () => {
      const timeout = this.#opts.statusTimeoutMs ?? 1000;
      const bits: StatusBits = {};
      for (const n of [1, 2, 3, 4] as const) {
        const reply = this.#realtime.wait(`DLE EOT ${n} from ${this.info.address}`, timeout);
        await this.link.write(cmd.realtimeStatus(n));
        const r = decodeRealtime(n, await reply);
        // n=2 and n=4 both report paper end, n=2 and n=3 both report errors: either one is enough.
        if (r.paperOut !== undefined) r.paperOut ||= bits.paperOut ?? false;
        if (r.error !== undefined) r.error ||= bits.error ?? false;
        Object.assign(bits, r);
      }
      this.#apply(bits);
      return this.#flagsView();
    });
  }

  async print(job: ReceiptJob): Promise<PrintResult> {
    this.requireEnabled();
    if (typeof job?.id !== 'string' || job.id.length === 0) {
      throw new DeviceError(
        DeviceErrorCode.INVALID_ARGUMENT,
        `Expected a non-empty string for job.id but received ${JSON.stringify(job?.id)}`,
      );
    }
    return this.#jobs.run(() => this.#printJob(job));
  }

  async #printJob(job: ReceiptJob): Promise<PrintResult> {
    // Encode first: a bad job is the caller's error and must not touch the printer.
    let bytes = await encodeReceipt(job, this.profile, this.#rasterOpt());
    this.setState('busy');
    try {
      await this.queryStatus();
      const blocker = this.#blocker();
      if (blocker) {
        if (this.raiseError(blocker, 'output', 'clear') === 'clear') throw blocker;
        await this.#waitReady(job.id);
      }
      let reprinted = false;
      for (;;) {
        const done = await this.#send(bytes);
        if (done === 'printed') {
          this.setState('idle');
          return { jobId: job.id, outcome: reprinted ? 'reprinted' : 'printed', bytes: bytes.length };
        }
        const err = new DeviceError(
          this.#bits.coverOpen ? DeviceErrorCode.COVER_OPEN : DeviceErrorCode.PAPER_OUT,
          `Job ${job.id} was interrupted (${this.#bits.coverOpen ? 'cover open' : 'paper out'}): load paper and close the cover; it is reprinted with a REPRINT mark.`,
          { jobId: job.id, interrupted: true },
        );
        this.setState('error');
        const answer = this.raiseError(err, 'output', 'retry');
        // Whatever is still in the printer's buffer is half a receipt: drop it either way.
        await this.link.write(cmd.RECOVER_CLEAR).catch(() => undefined);
        if (answer === 'clear') {
          throw new DeviceError(
            err.code,
            `Job ${job.id} was interrupted and cleared; it was not printed in full.`,
            {
              jobId: job.id,
              interrupted: true,
            },
          );
        }
        await this.#waitReady(job.id);
        await this.link.write(cmd.RECOVER_CLEAR);
        bytes = await encodeReceipt(job, this.profile, { ...this.#rasterOpt(), reprint: true });
        reprinted = true;
      }
    } catch (err) {
      this.setState(this.#blocker() ? 'error' : 'idle');
      throw err;
    }
  }

  /** Sends the job, then GS r; 'printed' when the answer comes, 'interrupted' when paper/cover stop it. */
  async #send(bytes: Uint8Array): Promise<'printed' | 'interrupted'> {
    const receipt = this.#sensor.wait(
      `end of job (GS r) from ${this.info.address}`,
      this.#opts.printTimeoutMs ?? 30_000,
    );
    receipt.catch(() => undefined);
    // Chunked so ASB frames and DLE EOT answers interleave on slow links.
    for (let o = 0; o < bytes.length; o += 4096) await this.link.write(bytes.subarray(o, o + 4096));
    await this.link.write(cmd.PAPER_SENSOR);
    const stopped = this.#until(() => this.#blocker() !== undefined);
    try {
      const winner = await Promise.race([
        receipt.then((b) => ({ b })),
        stopped.promise.then(() => 'stop' as const),
      ]);
      if (winner === 'stop') return 'interrupted';
      this.#apply(decodeSensor(winner.b));
      return 'printed';
    } catch (err) {
      // No end-of-job answer: ask in real time (works while offline) whether paper or cover stopped it.
      await this.queryStatus().catch(() => undefined);
      if (this.#blocker()) return 'interrupted';
      throw err;
    } finally {
      stopped.cancel();
      // The GS r left in the printer's buffer is normally dropped by DLE ENQ 2, but when paper comes back first
      // the printer finishes the old job and answers it: expect that answer, and never let it stand for the
      // reprint's (it arrives before the DLE EOT answers that precede the reprint, so it cannot).
      if (this.#sensor.size > 0) {
        this.#abandonedSensorQueries += this.#sensor.size;
        this.#sensor.rejectAll(new DeviceError(DeviceErrorCode.CLOSED, 'job abandoned'));
      }
    }
  }

  async #waitReady(jobId: string): Promise<void> {
    const deadline = Date.now() + (this.#opts.recoveryTimeoutMs ?? 600_000);
    while (Date.now() < deadline) {
      if (!this.#blocker()) return;
      await Promise.race([sleep(READY_POLL_MS), this.#until(() => !this.#blocker()).promise]);
      await this.queryStatus().catch(() => undefined);
    }
    const b = this.#blocker() ?? new DeviceError(DeviceErrorCode.TIMEOUT, 'printer not ready');
    throw new DeviceError(b.code, `Job ${jobId} waited too long for the printer: ${b.message}`, {
      jobId,
      interrupted: true,
    });
  }

  #blocker(): DeviceError | undefined {
    const b = this.#bits;
    if (b.coverOpen)
      return new DeviceError(DeviceErrorCode.COVER_OPEN, `${this.info.name}: cover open; close it.`);
    if (b.paperOut)
      return new DeviceError(DeviceErrorCode.PAPER_OUT, `${this.info.name}: paper out; load a new roll.`);
    if (b.offline || b.error) {
      return new DeviceError(
        DeviceErrorCode.OFFLINE,
        `${this.info.name} is offline (error or paper feed); check the printer.`,
      );
    }
    return undefined;
  }

  #apply(bits: StatusBits): void {
    const before = JSON.stringify(this.#bits);
    this.#bits = {
      ...this.#bits,
      ...Object.fromEntries(Object.entries(bits).filter(([, v]) => v !== undefined)),
    };
    this.setPower(this.#bits.offline || this.#bits.paperOut || this.#bits.coverOpen ? 'offline' : 'online');
    // setFlags emits a status event only when a flag changed, so the first answer is reported too.
    this.setFlags({ ...this.#flagsView() });
    if (JSON.stringify(this.#bits) !== before) this.#notifyChange();
  }

  #flagsView(): PrinterStatusFlags {
    const b = this.#bits;
    return {
      online: !b.offline && !b.coverOpen && !b.paperOut,
      coverOpen: b.coverOpen,
      paperOut: b.paperOut,
      paperNearEnd: b.paperNearEnd,
      error: b.error,
    };
  }

  #until(pred: () => boolean): { promise: Promise<void>; cancel: () => void } {
    let waiter: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      waiter = () => {
        if (pred()) {
          this.#changeWaiters.delete(waiter);
          resolve();
        }
      };
      this.#changeWaiters.add(waiter);
      waiter();
    });
    return { promise, cancel: () => this.#changeWaiters.delete(waiter) };
  }

  #notifyChange(): void {
    for (const w of [...this.#changeWaiters]) w();
  }

  #garbage(what: string): void {
    // One report per second: a wrong baud rate produces a flood, and one event says it all.
    const now = Date.now();
    if (now - this.#lastGarbageReport < 1000) return;
    this.#lastGarbageReport = now;
    this.raiseError(
      new DeviceError(DeviceErrorCode.PROTOCOL, `${this.info.name} sent ${what}`),
      'input',
      'clear',
    );
  }

  #rasterOpt(): { rasterizer?: Rasterizer } {
    return this.#opts.rasterizer ? { rasterizer: this.#opts.rasterizer } : {};
  }
}
