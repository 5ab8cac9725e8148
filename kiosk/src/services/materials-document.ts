import type { ReceiptBlock, ReceiptJob } from '../../../device-drivers/contracts/receipt-printer.js';
import type { Matter, Office } from '../../../protocol/schemas/services.js';
import { formatTime } from '../payment/receipt-document.js';
import { LABELS, type Lang, materialLine, pick } from './print-text.js';

export interface MaterialsLayout {
  lang: Lang;
  /** IANA zone of the community, for the printed time. */
  timeZone: string;
  now?: Date;
  jobId: string;
}

/** The materials of each matter, numbered, with copies and originals, then where and when to go. */
export function materialBlocks(m: Matter, lang: Lang): ReceiptBlock[] {
  const L = LABELS[lang];
  const blocks: ReceiptBlock[] = [
    { kind: 'text', text: `${L.bring}${lang === 'en' ? ':' : '：'}`, bold: true },
  ];
  m.materials.forEach((x, i) => {
    blocks.push({ kind: 'text', text: `${i + 1}. ${pick(x.name, lang)}` });
    blocks.push({ kind: 'text', text: `   ${materialLine(x, lang)}` });
    if (x.note) blocks.push({ kind: 'text', text: `   (${pick(x.note, lang)})` });
  });
  if (m.materials.length === 0) blocks.push({ kind: 'text', text: lang === 'en' ? 'Nothing' : '无需材料' });
  return blocks;
}

export function officeBlocks(o: Office, lang: Lang): ReceiptBlock[] {
  const L = LABELS[lang];
  return [
    { kind: 'text', text: `${L.office}${L.colon}${pick(o.name, lang)}` },
    { kind: 'text', text: `${L.address}${L.colon}${pick(o.address, lang)}` },
    { kind: 'text', text: `${L.hours}${L.colon}${pick(o.hours, lang)}` },
    { kind: 'text', text: `${L.phone}${L.colon}${o.phone}` },
  ];
}

/**
 * "Print this list of materials": the matter's title large, what to bring, the time limit and fee, and the
 * office with address, hours and phone, so a resident can go to the office with the slip in hand.
 */
export function buildMaterialsJob(matter: Matter, office: Office, layout: MaterialsLayout): ReceiptJob {
  const { lang } = layout;
  const L = LABELS[lang];
  const blocks: ReceiptBlock[] = [
    { kind: 'text', text: L.materials, align: 'center', bold: true },
    { kind: 'rule' },
    { kind: 'text', text: pick(matter.name, lang), align: 'center', bold: true, width: 2, height: 2 },
    { kind: 'rule' },
    ...materialBlocks(matter, lang),
    { kind: 'rule' },
    { kind: 'text', text: `${L.timeLimit}${L.colon}${pick(matter.timeLimit, lang)}` },
    { kind: 'text', text: `${L.fee}${L.colon}${pick(matter.fee, lang)}` },
    ...officeBlocks(office, lang),
    { kind: 'rule' },
    {
      kind: 'text',
      text: `${L.printed}${L.colon}${formatTime((layout.now ?? new Date()).toISOString(), layout.timeZone)}`,
    },
    { kind: 'feed', lines: 3 },
    { kind: 'cut' },
  ];
  return { id: layout.jobId, blocks };
}
