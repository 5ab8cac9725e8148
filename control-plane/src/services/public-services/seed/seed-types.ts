import type { I18nText } from '../../../../../protocol/schemas/common.js';
import type { Material } from '../../../../../protocol/schemas/services.js';
import type { MatterInput } from '../../../../../protocol/schemas/services-admin.js';

/** A seeded matter: everything an admin would send except the owning node (the city). */
export type SeedMatter = Omit<MatterInput, 'nodeId' | 'officeId'>;

export const t = (zh: string, en: string): I18nText => ({ zh, en });

/** One line of a materials list: name, how many, whether the original must be shown, a note. */
export function mat(
  zh: string,
  en: string,
  copies: number,
  original: boolean,
  note?: [string, string],
): Material {
  return { name: t(zh, en), copies, original, ...(note ? { note: t(note[0], note[1]) } : {}) };
}

export const ID_CARD = (copies = 1) =>
  mat('居民身份证', 'Resident identity card', copies, true, [
    '原件核验，复印件留存',
    'Original checked, copy kept',
  ]);
export const HUKOU = (copies = 1) =>
  mat('户口簿', 'Household register (hukou booklet)', copies, true, [
    '首页及本人页复印件',
    'Copy of the front page and your own page',
  ]);
export const FREE = t('免费', 'Free of charge');
