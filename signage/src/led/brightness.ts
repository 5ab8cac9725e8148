/** A brightness band: from this local time of day on, this level (1–16). */
export interface BrightnessBand {
  from: string;
  level: number;
}

/**
 * The level at a local time of day (minutes since midnight): the band that started last, wrapping past
 * midnight to yesterday's last band. No bands means full brightness.
 */
export function brightnessAt(bands: readonly BrightnessBand[], minuteOfDay: number): number {
  if (bands.length === 0) return 16;
  const sorted = [...bands]
    .map((b) => {
      const [h, m] = b.from.split(':').map(Number);
      return { at: (h ?? 0) * 60 + (m ?? 0), level: b.level };
    })
    .sort((a, b) => a.at - b.at);
  let level = sorted.at(-1)!.level;
  for (const b of sorted) if (b.at <= minuteOfDay) level = b.level;
  return level;
}
