import type { DeviceEvents, PosDevice } from './device.js';

/**
 * A bitmap for an LED panel: one byte per pixel, row-major. 0 = off; for single-colour panels 1 = on; for
 * dual-colour panels 1 = red, 2 = green, 3 = both (amber).
 */
export interface LedFrame {
  readonly width: number;
  readonly height: number;
  readonly colors: 1 | 2;
  readonly pixels: Uint8Array;
}

export interface LedShowOptions {
  /** Display area (dynamic area id on the controller), default 0. */
  readonly area?: number;
  /** Scroll content horizontally at this many pixels per second; static when absent. */
  readonly scrollPxPerSec?: number;
  /** Seconds after which the controller blanks the area unless refreshed (dead-man switch). */
  readonly timeoutSec?: number;
}

export interface LedControllerEvents extends DeviceEvents {}

export interface LedController extends PosDevice<LedControllerEvents> {
  readonly width: number;
  readonly height: number;
  readonly colors: 1 | 2;
  showFrame(frame: LedFrame, options?: LedShowOptions): Promise<void>;
  showText(text: string, options?: LedShowOptions): Promise<void>;
  /** 1–16, as on common controller boards. */
  setBrightness(level: number): Promise<void>;
}
