import type { I18nText } from '../../protocol/schemas/common.js';
import type { NoticePriority } from '../../protocol/schemas/notice.js';
import type { LedFrame } from './led-frame.js';
import { colourFor, type LedStrip, renderStrip, scrolls, stripFrame } from './led-strip.js';

/** The device's default LED font (kiosk/src/config.ts `led.font`), used by the console preview too. */
export const LED_DEFAULT_FONT = 'Noto Sans CJK SC';

export interface LedPanel {
  width: number;
  height: number;
  colors: 1 | 2;
}

/**
 * What the LED sign writes for a notice: its Chinese title; an emergency, its title and body (a full-width
 * space between). The panel is one line of a few Chinese characters, so English and images never go there.
 */
export function ledText(n: { title: I18nText; body: I18nText }, emergency: boolean): string {
  return emergency ? `${n.title.zh}　${n.body.zh}` : n.title.zh;
}

/**
 * The first frame of a showing: centred when the text fits; otherwise the window at strip column 0 (a long
 * text starts with its beginning on the panel, holds, then scrolls).
 */
export function firstFrame(strip: LedStrip, panel: LedPanel, colour: number): LedFrame {
  return stripFrame(strip, panel, colour, scrolls(strip, panel.width) ? 0 : undefined);
}

export interface LedNoticeFrame {
  frame: LedFrame;
  text: string;
  /** Width of the whole line in LED columns; wider than the panel means it scrolls. */
  textWidth: number;
  scrolls: boolean;
}

/** A notice's first LED frame, exactly as the sign draws it (kiosk/src/roles/led-sign.ts uses the same parts). */
export async function ledNoticeFrame(
  n: { title: I18nText; body: I18nText; priority: NoticePriority },
  panel: LedPanel,
  font: string = LED_DEFAULT_FONT,
): Promise<LedNoticeFrame> {
  const emergency = n.priority === 'emergency';
  const text = ledText(n, emergency);
  const strip = await renderStrip(text, { height: panel.height, font });
  return {
    frame: firstFrame(strip, panel, colourFor(n.priority, panel.colors)),
    text,
    textWidth: strip.width,
    scrolls: scrolls(strip, panel.width),
  };
}
