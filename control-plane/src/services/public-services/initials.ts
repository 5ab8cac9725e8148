import { pinyin } from 'pinyin-pro';

/**
 * Pinyin initials of a matter's Chinese name, for the kiosk's search box (老年人优待证办理 → LNRYDZBL).
 * pinyin-pro picks the reading of polyphonic characters from context (重庆 → CQ, 银行 → YH); Latin letters
 * and digits are kept, everything else (punctuation, spaces) dropped. Capped at the schema's 64 characters.
 */
export function pinyinInitials(name: string): string {
  const parts = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' });
  return parts
    .join('')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 64);
}
