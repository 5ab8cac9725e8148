import type { ReceiptBlock, ReceiptJob } from '../../../device-drivers/contracts/receipt-printer.js';
import type { AppointmentSlip, Matter } from '../../../protocol/schemas/services.js';
import { materialBlocks } from './materials-document.js';
import { LABELS, type Lang, pick } from './print-text.js';

/**
 * The appointment slip: the queue number as large as the printer goes (the resident shows it at the
 * counter), the matter, office, address and time, the code to look it up or cancel, what to bring, and the
 * QR of the signed slip's verify URL. Printed from the verified slip only.
 */
export function buildSlipJob(
  slip: AppointmentSlip,
  matter: Matter | undefined,
  opts: { lang?: Lang; communityName?: string } = {},
): ReceiptJob {
  const lang = opts.lang ?? 'zh';
  const L = LABELS[lang];
  const blocks: ReceiptBlock[] = [];
  if (opts.communityName) {
    blocks.push({ kind: 'text', text: opts.communityName, align: 'center', bold: true });
  }
  blocks.push(
    { kind: 'text', text: `${L.slip}  ${LABELS[lang === 'zh' ? 'en' : 'zh'].slip}`, align: 'center' },
    { kind: 'rule' },
    { kind: 'text', text: L.number, align: 'center' },
    { kind: 'text', text: slip.number, align: 'center', bold: true, width: 4, height: 4 },
    { kind: 'rule' },
    { kind: 'text', text: `${L.matter}${L.colon}${pick(slip.matterName, lang)}`, bold: true },
    { kind: 'text', text: `${L.time}${L.colon}${slip.slotLabel}`, bold: true },
    { kind: 'text', text: `${L.office}${L.colon}${pick(slip.officeName, lang)}` },
    { kind: 'text', text: `${L.address}${L.colon}${pick(slip.officeAddress, lang)}` },
    { kind: 'text', text: `${L.phone}${L.colon}${slip.officePhone}` },
    { kind: 'text', text: `${L.code}${L.colon}${slip.code}`, bold: true, width: 2, height: 2 },
  );
  if (matter) {
    blocks.push({ kind: 'rule' }, { kind: 'text', text: L.arrive }, ...materialBlocks(matter, lang));
  }
  blocks.push(
    { kind: 'rule' },
    { kind: 'qr', data: slip.verifyUrl, size: 6, align: 'center' },
    { kind: 'text', text: L.scan, align: 'center' },
    { kind: 'feed', lines: 3 },
    { kind: 'cut' },
  );
  return { id: `slip-${slip.id}`, blocks };
}
