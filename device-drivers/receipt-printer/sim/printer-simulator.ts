import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Listeners } from '../../core/listeners.js';
import type { DevicePort } from '../../transports/sim-pair.js';
import { JOB_TAG_PREFIX } from '../encoder/escpos.js';
import type { PrinterProfile } from '../profiles.js';
import { type EscPosCommand, EscPosDecoder, RealtimeScanner } from './escpos-decoder.js';
import { defaultStyle, Paper, type PrintStyle } from './paper.js';
import { renderReceiptPng } from './render-png.js';

/**
 * An overridable piece of printer behaviour (zwave-js MockNodeBehavior): it sees each decoded command first and
 * returns true when it handled it, so tests replace one reaction without rewriting the simulator.
 */
export interface PrinterBehaviour {
  readonly name: string;
  onCommand(sim: PrinterSimulator, cmd: EscPosCommand): boolean | undefined;
}

export interface PrintedReceipt {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly text: readonly string[];
  /** False when the job was cleared half-way (paper out, DLE ENQ 2). */
  readonly complete: boolean;
  readonly pngPath?: string;
  readonly binPath?: string;
  readonly png?: Buffer;
}

export interface PrinterSimulatorOptions {
  readonly profile: PrinterProfile;
  /** Where `<job>.bin` and `<job>.png` go; nothing is written without it. */
  readonly outputDir?: string;
  /** Render PNGs (sharp). Default true; benchmarks turn it off. */
  readonly render?: boolean;
}

type PaperState = 'ok' | 'near-end' | 'out';

/** An ESC/POS printer as seen from its wire: its own parser, real-time status, ASB, paper and cover. */
export class PrinterSimulator {
  readonly profile: PrinterProfile;
  readonly receipts: PrintedReceipt[] = [];
  readonly unknownCommands: Uint8Array[] = [];
  readonly #opts: PrinterSimulatorOptions;
  readonly #decoder = new EscPosDecoder();
  readonly #realtime = new RealtimeScanner();
  readonly #behaviours: PrinterBehaviour[] = [];
  readonly #printed = new Listeners<[PrintedReceipt]>();
  #port: DevicePort | undefined;
  #style: PrintStyle = defaultStyle();
  #paper = new Paper();
  #raw: Uint8Array[] = [];
  #qr = { data: '', module: 3, ecc: 48 };
  #paperState: PaperState = 'ok';
  #coverOpen = false;
  #asbMask = 0;
  #linesLeft: number | undefined;
  #jobName: string | undefined;
  #auto = 0;
  #renders: Promise<unknown> = Promise.resolve();

  constructor(opts: PrinterSimulatorOptions) {
    this.profile = opts.profile;
    this.#opts = opts;
    this.#resetStyle();
  }

  attach(port: DevicePort): () => void {
    this.#port = port;
    return port.onData((chunk) => this.#receive(chunk));
  }

  defineBehaviour(b: PrinterBehaviour): void {
    this.#behaviours.unshift(b);
  }

  removeBehaviour(name: string): void {
    const i = this.#behaviours.findIndex((b) => b.name === name);
    if (i >= 0) this.#behaviours.splice(i, 1);
  }

  onReceipt(l: (r: PrintedReceipt) => void): () => void {
    return this.#printed.add(l);
  }

  get online(): boolean {
    return this.#paperState !== 'out' && !this.#coverOpen;
  }

  get paper(): PaperState {
    return this.#paperState;
  }

  get coverOpen(): boolean {
    return this.#coverOpen;
  }

  setPaper(state: PaperState): void {
    if (state === this.#paperState) return;
    this.#paperState = state;
    if (state !== 'out') this.#linesLeft = undefined;
    this.#changed();
  }

  /** Fault: the roll ends after this many more printed lines, in the middle of whatever is printing. */
  runOutOfPaperAfter(lines: number): void {
    this.#linesLeft = lines;
  }

  openCover(): void {
    if (this.#coverOpen) return;
    this.#coverOpen = true;
    this.#changed();
  }

  closeCover(): void {
    if (!this.#coverOpen) return;
    this.#coverOpen = false;
    this.#changed();
  }

  /** Fault: line noise on the back channel (wrong baud rate, EMI). */
  sendGarbage(bytes: Uint8Array = Uint8Array.of(0xff, 0x80, 0xfe, 0x9c)): Promise<void> {
    return this.#send(bytes);
  }

  /** Resolves when every receipt cut so far has been rendered and written. */
  async flush(): Promise<void> {
    await this.#renders;
  }

  realtimeByte(n: number): number {
    const offline = !this.online;
    switch (n) {
      case 1:
        return 0x12 | (offline ? 0x08 : 0);
      case 2:
        return 0x12 | (this.#coverOpen ? 0x04 : 0) | (this.#paperState === 'out' ? 0x20 : 0);
      case 3:
        return 0x12;
      default:
        return 0x12 | (this.#paperState !== 'ok' ? 0x0c : 0) | (this.#paperState === 'out' ? 0x60 : 0);
    }
  }

  sensorByte(): number {
    return (this.#paperState !== 'ok' ? 0x03 : 0) | (this.#paperState === 'out' ? 0x0c : 0);
  }

  asbFrame(): Uint8Array {
    const b1 = 0x10 | (this.online ? 0 : 0x08) | (this.#coverOpen ? 0x20 : 0);
    const b3 = (this.#paperState !== 'ok' ? 0x03 : 0) | (this.#paperState === 'out' ? 0x0c : 0);
    return Uint8Array.of(b1, 0x00, b3, 0x00);
  }

  #send(bytes: Uint8Array): Promise<void> {
    return this.#port?.send(bytes).catch(() => undefined) ?? Promise.resolve();
  }

  #changed(): void {
    if (this.#asbMask !== 0) void this.#send(this.asbFrame());
    this.#run();
  }

  #receive(chunk: Uint8Array): void {
    // Every byte enters the receive buffer; a real-time command also acts the moment its last byte arrives,
    // online or offline, after what came before it and before what follows it in the same read.
    let from = 0;
    for (const hit of this.#realtime.push(chunk)) {
      this.#decoder.push(chunk.subarray(from, hit.end));
      from = hit.end;
      this.#run();
      this.#handle({ op: hit.op, n: hit.n });
    }
    if (from < chunk.length) this.#decoder.push(chunk.subarray(from));
    this.#run();
  }

  #run(): void {
    while (this.online) {
      const next = this.#decoder.next();
      if (!next) return;
      this.#raw.push(Uint8Array.from(next.raw));
      // Real-time commands met again in the buffer were executed on arrival; in the print path they are inert.
      if (next.cmd.op === 'status' || next.cmd.op === 'recover') continue;
      this.#handle(next.cmd);
    }
  }

  #handle(cmd: EscPosCommand): void {
    for (const b of this.#behaviours) if (b.onCommand(this, cmd)) return;
    const s = this.#style;
    switch (cmd.op) {
      case 'init':
        this.#resetStyle();
        return;
      case 'align':
        s.align = cmd.n;
        return;
      case 'bold':
        s.bold = cmd.on;
        return;
      case 'size':
        s.w = cmd.w;
        s.h = cmd.h;
        return;
      case 'mode':
        s.bold = (cmd.n & 0x08) !== 0;
        s.w = cmd.n & 0x20 ? 2 : 1;
        s.h = cmd.n & 0x10 ? 2 : 1;
        return;
      case 'chinese':
        // A printer without a GB font ignores FS &: GBK bytes then print as code-page garbage, as in real life.
        s.chinese = cmd.on && this.profile.chineseFont;
        this.#decoder.chinese = s.chinese;
        return;
      case 'codepage':
        s.codePage = cmd.n;
        return;
      case 'text':
        this.#paper.addText(cmd.bytes, s);
        return;
      case 'lf':
        this.#paper.lineFeed(s);
        this.#consumeLine();
        return;
      case 'feed':
        this.#paper.feed(cmd.lines * 30);
        return;
      case 'feed-dots':
        this.#paper.feed(cmd.dots);
        return;
      case 'qr':
        this.#qrCommand(cmd.fn, cmd.params);
        return;
      case 'raster':
        this.#paper.raster(cmd.widthBytes, cmd.height, cmd.bits, s.align);
        this.#consumeLine();
        return;
      case 'cut':
        this.#finish(true);
        return;
      case 'status':
        void this.#send(Uint8Array.of(this.realtimeByte(cmd.n)));
        return;
      case 'recover':
        if (cmd.n === 2) {
          this.#decoder.clear();
          if (!this.#paper.isEmpty) this.#finish(false);
        }
        return;
      case 'asb':
        this.#asbMask = cmd.n;
        if (cmd.n !== 0) void this.#send(this.asbFrame());
        return;
      case 'sensor':
        void this.#send(Uint8Array.of(this.sensorByte()));
        return;
      case 'unknown':
        if (this.unknownCommands.length < 1000) this.unknownCommands.push(Uint8Array.from(cmd.bytes));
        return;
      default:
        return;
    }
  }

  #qrCommand(fn: number, params: Uint8Array): void {
    if (fn === 0x43) this.#qr.module = params[0] ?? 3;
    else if (fn === 0x45) this.#qr.ecc = params[0] ?? 48;
    else if (fn === 0x50) {
      // Stored like any QR data (as a printer does); the driver's job tag also names this receipt's files.
      this.#qr.data = Buffer.from(params.subarray(1)).toString('utf8');
      if (this.#qr.data.startsWith(JOB_TAG_PREFIX))
        this.#jobName = safeFileName(this.#qr.data.slice(JOB_TAG_PREFIX.length));
    } else if (fn === 0x51) this.#paper.qr(this.#qr.data, this.#qr.module, this.#qr.ecc, this.#style.align);
  }

  #consumeLine(): void {
    if (this.#linesLeft === undefined) return;
    this.#linesLeft--;
    if (this.#linesLeft <= 0) {
      this.#linesLeft = undefined;
      this.setPaper('out');
    }
  }

  #resetStyle(): void {
    this.#style = { ...defaultStyle(), chinese: this.profile.chineseFont };
    this.#decoder.chinese = this.profile.chineseFont;
  }

  #finish(complete: boolean): void {
    this.#paper.flushLine();
    const name = this.#jobName ?? `receipt-${String(++this.#auto).padStart(4, '0')}`;
    const fileName = complete ? name : `${name}.interrupted`;
    this.#jobName = undefined;
    const paper = this.#paper;
    const total = this.#raw.reduce((n, r) => n + r.length, 0);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const r of this.#raw) {
      bytes.set(r, o);
      o += r.length;
    }
    this.#paper = new Paper();
    this.#raw = [];
    this.#renders = this.#renders
      .then(() => this.#save(fileName, bytes, paper, complete))
      .catch(() => undefined);
  }

  async #save(name: string, bytes: Uint8Array, paper: Paper, complete: boolean): Promise<void> {
    const render = this.#opts.render ?? true;
    const png = render ? await renderReceiptPng(paper, this.profile.dotsPerLine) : undefined;
    const dir = this.#opts.outputDir;
    let pngPath: string | undefined;
    let binPath: string | undefined;
    if (dir) {
      await mkdir(dir, { recursive: true });
      binPath = join(dir, `${name}.bin`);
      await writeFile(binPath, bytes);
      if (png) {
        pngPath = join(dir, `${name}.png`);
        await writeFile(pngPath, png);
      }
    }
    const receipt: PrintedReceipt = {
      name,
      bytes,
      text: paper.text(),
      complete,
      ...(png ? { png } : {}),
      ...(pngPath ? { pngPath } : {}),
      ...(binPath ? { binPath } : {}),
    };
    this.receipts.push(receipt);
    this.#printed.emit(receipt);
  }
}

/** Job ids come from the wire: never let one climb out of the output directory or hide as a dotfile. */
function safeFileName(id: string): string {
  return (
    id
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 128) || 'job'
  );
}
