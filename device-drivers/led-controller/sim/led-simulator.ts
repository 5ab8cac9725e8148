import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedFrame } from '../../contracts/led-controller.js';
import type { DevicePort } from '../../transports/sim-pair.js';
import { AlphaParser } from '../alpha-parser.js';
import { ACK, NAK } from '../alpha-protocol.js';

/** sharp (libvips) loads on first use, so a process that never draws never maps it. */
const loadSharp = async () => (await import('sharp')).default;

export interface LedSimulatorOptions {
  readonly width: number;
  readonly height: number;
  readonly colors: 1 | 2;
  /** Where `led-current.png` is written after every change; nothing is written without it. */
  readonly outputDir?: string;
}

/** What the sign shows in one area: a picture or a line of its own font's text. */
export type AreaContent =
  | { readonly kind: 'picture'; readonly frame: LedFrame }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'blank' };

/**
 * An Alpha-protocol sign as seen from its wire: its own packet parser, checksum check, ACK/NAK, memory, dimming,
 * and a PNG of what area 0 shows, drawn as LED dots.
 */
export class LedSimulator {
  readonly opts: LedSimulatorOptions;
  /** Fault: NAK the next n packets (line noise, checksum trouble on a long RS-485 run). */
  nakNext = 0;
  /** Fault: answer nothing at all (sign powered off, wrong address). */
  silent = false;
  ackNak = false;
  brightness = 100;
  readonly pictures = new Map<string, LedFrame>();
  readonly texts = new Map<string, Uint8Array>();
  readonly rejected: string[] = [];
  packets = 0;
  readonly #parser = new AlphaParser();
  #port: DevicePort | undefined;
  #renders: Promise<unknown> = Promise.resolve();

  constructor(opts: LedSimulatorOptions) {
    this.opts = opts;
  }

  attach(port: DevicePort): () => void {
    this.#port = port;
    return port.onData((c) => this.#receive(c));
  }

  async flush(): Promise<void> {
    await this.#renders;
  }

  /** What an area shows now, resolved through its TEXT file (which may call a picture). */
  area(n: number): AreaContent {
    const t = this.texts.get(String.fromCharCode(0x41 + n));
    if (!t || t.length === 0) return { kind: 'blank' };
    if (t[0] === 0x14 && t.length >= 2) {
      const frame = this.pictures.get(String.fromCharCode(t[1]!));
      return frame ? { kind: 'picture', frame } : { kind: 'blank' };
    }
    return { kind: 'text', text: Buffer.from(t).toString('latin1') };
  }

  #receive(chunk: Uint8Array): void {
    for (const ev of this.#parser.push(chunk)) {
      if (this.silent) continue;
      if (ev.kind === 'error') {
        this.rejected.push(ev.error.message);
        if (this.ackNak) this.#reply(NAK);
        continue;
      }
      if (this.nakNext > 0) {
        this.nakNext--;
        this.#reply(NAK);
        continue;
      }
      const ok = this.#apply(ev.body);
      this.packets++;
      if (this.ackNak) this.#reply(ok ? ACK : NAK);
    }
  }

  #reply(b: number): void {
    void this.#port?.send(Uint8Array.of(b)).catch(() => undefined);
  }

  #apply(body: Uint8Array): boolean {
    const cmd = String.fromCharCode(body[0] ?? 0);
    if (cmd === 'E') {
      const fn = String.fromCharCode(body[1] ?? 0);
      if (fn === 's') this.ackNak = body[2] === 0x31;
      else if (fn === '/')
        this.brightness =
          [100, 86, 72, 58, 44][Number(Buffer.from(body.subarray(4, 6)).toString())] ?? this.brightness;
      return fn === 's' || fn === '/' || fn === '$';
    }
    if (cmd === 'I') return this.#picture(body);
    if (cmd === 'A' && body.length >= 5 && body[2] === 0x1b) {
      let start = 5;
      if ((body[5] ?? 0) >= 0x15 && (body[5] ?? 0) <= 0x19) start = 6;
      this.texts.set(String.fromCharCode(body[1]!), Uint8Array.from(body.subarray(start)));
      this.#render();
      return true;
    }
    this.rejected.push(`unknown command ${JSON.stringify(cmd)}`);
    return false;
  }

  #picture(body: Uint8Array): boolean {
    const head = Buffer.from(body.subarray(0, 6)).toString('latin1');
    const m = /^I(.)([0-9A-F]{2})([0-9A-F]{2})$/.exec(head);
    if (!m) return false;
    const height = Number.parseInt(m[2]!, 16);
    const width = Number.parseInt(m[3]!, 16);
    const pixels = new Uint8Array(width * height);
    let o = 6;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = (body[o++] ?? 0) - 0x30;
        if (v < 0 || v > 3) return false;
        pixels[y * width + x] = v;
      }
      if (body[o++] !== 0x0d) return false;
    }
    this.pictures.set(m[1]!, { width, height, colors: this.opts.colors, pixels });
    this.#render();
    return true;
  }

  #render(): void {
    const dir = this.opts.outputDir;
    if (!dir) return;
    const content = this.area(0);
    this.#renders = this.#renders
      .then(async () => {
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'led-current.png'), await renderLedPng(content, this.opts));
      })
      .catch(() => undefined);
  }
}

const COLOURS: Record<number, [number, number, number]> = {
  0: [40, 20, 20],
  1: [255, 40, 30],
  2: [40, 230, 60],
  3: [255, 170, 20],
};

/** Each LED as a 6×6 dot on an 8-pixel pitch over a dark board, so a person sees what the sign shows. */
export async function renderLedPng(
  content: AreaContent,
  o: { width: number; height: number },
  pitch = 8,
): Promise<Buffer> {
  const sharp = await loadSharp();
  const W = o.width * pitch;
  const H = o.height * pitch;
  const rgb = Buffer.alloc(W * H * 3, 8);
  if (content.kind === 'picture') {
    const f = content.frame;
    for (let y = 0; y < Math.min(f.height, o.height); y++) {
      for (let x = 0; x < Math.min(f.width, o.width); x++) {
        const c = COLOURS[f.pixels[y * f.width + x] ?? 0] ?? COLOURS[0]!;
        for (let dy = 1; dy < pitch - 1; dy++) {
          for (let dx = 1; dx < pitch - 1; dx++) rgb.set(c, ((y * pitch + dy) * W + x * pitch + dx) * 3);
        }
      }
    }
    return sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toBuffer();
  }
  const base = sharp(rgb, { raw: { width: W, height: H, channels: 3 } });
  if (content.kind === 'blank') return base.png().toBuffer();
  const esc = content.text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="8" y="${H * 0.7}" font-family="DejaVu Sans Mono, monospace" font-size="${H * 0.6}" fill="rgb(255,40,30)">${esc}</text></svg>`;
  return base
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
}
