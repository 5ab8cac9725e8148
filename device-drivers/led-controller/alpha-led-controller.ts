import type { DeviceInfo } from '../contracts/device.js';
import { DeviceError, DeviceErrorCode } from '../contracts/device-error.js';
import type {
  LedController,
  LedControllerEvents,
  LedFrame,
  LedShowOptions,
} from '../contracts/led-controller.js';
import type { Transport } from '../contracts/transport.js';
import { BaseDevice } from '../core/base-device.js';
import { SerialQueue } from '../core/reply-queue.js';
import type { SupervisorOptions } from '../transports/supervisor.js';
import * as alpha from './alpha-protocol.js';

export interface AlphaLedOptions {
  readonly transport: Transport;
  readonly width: number;
  readonly height: number;
  readonly colors: 1 | 2;
  readonly address?: string;
  readonly name?: string;
  readonly supervisor?: SupervisorOptions;
  readonly ackTimeoutMs?: number;
  readonly retries?: number;
}

/** Areas map to file labels: text file A+n shows picture a+n. Five areas, like the Onbon 6th generation. */
const AREAS = 5;
const TEXT_SIZE = 256;
const textLabel = (area: number): string => String.fromCharCode(0x41 + area);
const pictureLabel = (area: number): string => String.fromCharCode(0x61 + area);

/**
 * LED sign over the Alpha protocol: bitmaps as SMALL DOTS pictures, ASCII text as TEXT files, brightness via the
 * dimming register; every packet is acknowledged (ACK/NAK mode is switched on at enable) and retried on NAK or
 * silence. `timeoutSec` is a host-side dead-man switch: the area is blanked unless shown again in time.
 */
export class AlphaLedController extends BaseDevice<LedControllerEvents> implements LedController {
  readonly width: number;
  readonly height: number;
  readonly colors: 1 | 2;
  readonly #opts: AlphaLedOptions;
  readonly #queue = new SerialQueue();
  #answer: ((b: number) => void) | undefined;
  #deadman = new Map<number, NodeJS.Timeout>();

  constructor(opts: AlphaLedOptions) {
    const info: DeviceInfo = {
      name: opts.name ?? 'led-controller',
      kind: 'led-controller',
      vendor: 'Alpha protocol',
      model: `${opts.width}×${opts.height} ${opts.colors === 2 ? 'tri-colour' : 'monochrome'}`,
      address: opts.transport.info.address,
    };
    super({ info, transport: opts.transport, ...(opts.supervisor ? { supervisor: opts.supervisor } : {}) });
    this.width = opts.width;
    this.height = opts.height;
    this.colors = opts.colors;
    this.#opts = opts;
  }

  protected async onEnable(): Promise<void> {
    // ACK/NAK first: without it the sign answers nothing and we could not tell a dead sign from a live one.
    await this.#send(alpha.ackNakOn(), 'enable ACK/NAK', false);
    const files: Parameters<typeof alpha.memoryConfig>[0][number][] = [];
    for (let a = 0; a < AREAS; a++) {
      files.push({ label: textLabel(a), type: 'text', size: TEXT_SIZE });
      files.push({
        label: pictureLabel(a),
        type: 'dots',
        width: this.width,
        height: this.height,
        colors: this.colors,
      });
    }
    await this.#send(alpha.memoryConfig(files), 'memory configuration');
  }

  protected override async onDisable(): Promise<void> {
    for (const t of this.#deadman.values()) clearTimeout(t);
    this.#deadman.clear();
  }

  protected onBytes(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (b === alpha.ACK || b === alpha.NAK) {
        const a = this.#answer;
        this.#answer = undefined;
        a?.(b);
      }
      // Anything else is line noise on a write-only link; the checksum on our side protects the sign.
    }
  }

  async showFrame(frame: LedFrame, options: LedShowOptions = {}): Promise<void> {
    this.requireEnabled();
    if (frame?.width !== this.width || frame.height !== this.height) {
      throw invalid('frame', `a ${this.width}×${this.height} frame`, `${frame?.width}×${frame?.height}`);
    }
    if (frame.colors > this.colors) throw invalid('frame.colors', `at most ${this.colors}`, frame.colors);
    if (!(frame.pixels instanceof Uint8Array) || frame.pixels.length !== frame.width * frame.height) {
      throw invalid(
        'frame.pixels',
        `a Uint8Array of ${frame.width * frame.height} bytes`,
        frame.pixels?.length,
      );
    }
    const area = this.#area(options);
    await this.#send(alpha.dotsPicture(pictureLabel(area), frame), 'dots picture');
    await this.#send(
      alpha.textFile(
        textLabel(area),
        options.scrollPxPerSec ? 'rotate' : 'hold',
        alpha.callPicture(pictureLabel(area)),
        speedOf(options),
      ),
      'text file',
    );
    this.#arm(area, options);
  }

  async showText(text: string, options: LedShowOptions = {}): Promise<void> {
    this.requireEnabled();
    if (typeof text !== 'string' || text.length > TEXT_SIZE)
      throw invalid('text', `a string of at most ${TEXT_SIZE} characters`, text);
    const area = this.#area(options);
    await this.#send(
      alpha.textFile(
        textLabel(area),
        options.scrollPxPerSec ? 'rotate' : 'hold',
        alpha.signText(text),
        speedOf(options),
      ),
      'text file',
    );
    this.#arm(area, options);
  }

  async setBrightness(level: number): Promise<void> {
    this.requireEnabled();
    if (!Number.isInteger(level) || level < 1 || level > 16) throw invalid('level', 'an integer 1–16', level);
    await this.#send(alpha.dimming(level), 'dimming');
  }

  #area(options: LedShowOptions): number {
    const area = options.area ?? 0;
    if (!Number.isInteger(area) || area < 0 || area >= AREAS)
      throw invalid('options.area', `an integer 0–${AREAS - 1}`, area);
    if (
      options.timeoutSec !== undefined &&
      (!Number.isFinite(options.timeoutSec) || options.timeoutSec <= 0 || options.timeoutSec > 86_400)
    ) {
      throw invalid('options.timeoutSec', 'a number of seconds in (0, 86400]', options.timeoutSec);
    }
    return area;
  }

  #arm(area: number, options: LedShowOptions): void {
    clearTimeout(this.#deadman.get(area));
    this.#deadman.delete(area);
    if (!options.timeoutSec) return;
    const t = setTimeout(() => {
      this.#deadman.delete(area);
      if (!this.enabled) return;
      this.#send(alpha.textFile(textLabel(area), 'hold', new Uint8Array(0)), 'blank expired area').catch(
        (err: DeviceError) => this.raiseError(err, 'output', 'clear'),
      );
    }, options.timeoutSec * 1000);
    t.unref();
    this.#deadman.set(area, t);
  }

  /** One packet at a time; retried on NAK or silence; DeviceError NAK/TIMEOUT after the last try. */
  #send(body: Uint8Array, what: string, expectAck = true): Promise<void> {
    const bytes = alpha.packet(this.#opts.address ?? '00', body);
    return this.#queue.run(async () => {
      const retries = this.#opts.retries ?? 3;
      const timeout = this.#opts.ackTimeoutMs ?? 1500;
      let last = 0;
      for (let attempt = 0; attempt <= retries; attempt++) {
        const answer = new Promise<number>((resolve) => {
          const t = setTimeout(() => resolve(-1), timeout);
          this.#answer = (b) => {
            clearTimeout(t);
            resolve(b);
          };
        });
        await this.link.write(bytes);
        last = await answer;
        if (last === alpha.ACK || (!expectAck && last === -1)) return;
      }
      throw new DeviceError(
        last === alpha.NAK ? DeviceErrorCode.NAK : DeviceErrorCode.TIMEOUT,
        `LED sign ${last === alpha.NAK ? 'refused' : 'did not acknowledge'} the ${what} after ${retries + 1} tries; check the cable, baud rate (9600 7E2 is common) and sign address.`,
        { what },
      );
    });
  }
}

function speedOf(o: LedShowOptions): 1 | 2 | 3 | 4 | 5 | undefined {
  const v = o.scrollPxPerSec;
  if (!v) return undefined;
  return v < 8 ? 1 : v < 16 ? 2 : v < 32 ? 3 : v < 64 ? 4 : 5;
}

function invalid(param: string, expected: string, actual: unknown): DeviceError {
  return new DeviceError(
    DeviceErrorCode.INVALID_ARGUMENT,
    `Expected ${expected} for ${param} but received ${JSON.stringify(actual)}`,
    {
      param,
    },
  );
}
