import { EventEmitter } from 'node:events';
import type { LedController, LedFrame } from '../../../device-drivers/contracts/led-controller.js';
import { renderLedText } from '../../../signage/src/led/render-text.js';
import { activeNotices } from '../../../signage/src/notice-order.js';
import type { NoticeSet } from '../content/notice-sync.js';
import type { Logger } from '../logger.js';

export interface LedSignOptions {
  width: number;
  height: number;
  font: string;
  notices: { current(): NoticeSet; on(event: 'change', fn: (set: NoticeSet) => void): unknown };
  /** The panel, through its driver contract; absent when no LED controller is configured. */
  controller?: LedController;
  log: Logger;
  now?: () => Date;
  tickMs?: number;
}

export interface LedSignState {
  text: string;
  noticeId: string | null;
  width: number;
  height: number;
  litPixels: number;
  /** True when the text is wider than the panel (only its start shows until scrolling lands). */
  clipped: boolean;
  renderedAt: string;
  controller: {
    present: boolean;
    lastSentAt: string | null;
    error: { code: string; message: string } | null;
  };
}

/**
 * The LED sign: the title of the most important current notice, rendered to a 1-bit frame and sent to the
 * panel. Renders are serialised; the latest notice set always wins.
 */
export class LedSign extends EventEmitter<{ frame: [LedFrame] }> {
  readonly #o: LedSignOptions;
  #frame: LedFrame;
  #state: LedSignState;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: LedSignOptions) {
    super();
    this.#o = opts;
    this.#frame = {
      width: opts.width,
      height: opts.height,
      colors: 1,
      pixels: new Uint8Array(opts.width * opts.height),
    };
    this.#state = {
      text: '',
      noticeId: null,
      width: opts.width,
      height: opts.height,
      litPixels: 0,
      clipped: false,
      renderedAt: new Date(0).toISOString(),
      controller: { present: opts.controller !== undefined, lastSentAt: null, error: null },
    };
    opts.notices.on('change', () => void this.refresh());
  }

  get frame(): LedFrame {
    return this.#frame;
  }

  get state(): LedSignState {
    return this.#state;
  }

  async start(): Promise<void> {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.refresh(), this.#o.tickMs ?? 30_000);
    this.#timer.unref();
    await this.refresh(true);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }

  /** Re-renders if the shown notice changed (or always, when forced). */
  refresh(force = false): Promise<void> {
    this.#chain = this.#chain
      .then(() => this.#render(force))
      .catch((err: unknown) => {
        this.#o.log.error({ err: (err as Error).message }, 'led: render failed; the previous frame stays');
      });
    return this.#chain;
  }

  async #render(force: boolean): Promise<void> {
    const now = (this.#o.now ?? (() => new Date()))();
    const top = activeNotices(this.#o.notices.current().notices, now)[0];
    const text = top?.title.zh ?? '';
    if (!force && text === this.#state.text && (top?.id ?? null) === this.#state.noticeId) return;
    const { frame, textWidth } = await renderLedText(text, {
      width: this.#o.width,
      height: this.#o.height,
      font: this.#o.font,
    });
    this.#frame = frame;
    let lit = 0;
    for (const p of frame.pixels) if (p) lit++;
    this.#state = {
      ...this.#state,
      text,
      noticeId: top?.id ?? null,
      litPixels: lit,
      clipped: textWidth > this.#o.width,
      renderedAt: now.toISOString(),
    };
    this.emit('frame', frame);
    await this.#send(frame);
  }

  async #send(frame: LedFrame): Promise<void> {
    const c = this.#o.controller;
    if (!c) return;
    try {
      await c.showFrame(frame);
      this.#state.controller = { present: true, lastSentAt: new Date().toISOString(), error: null };
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'DEVICE_HARDWARE_ERROR';
      this.#state.controller = {
        ...this.#state.controller,
        error: { code, message: (err as Error).message },
      };
      this.#o.log.error({ code }, `led: the controller did not take the frame (${(err as Error).message})`);
    }
  }
}
