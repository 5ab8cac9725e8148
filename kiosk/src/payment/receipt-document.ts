import type { ReceiptBlock, ReceiptJob } from '../../../device-drivers/contracts/receipt-printer.js';
import { formatFen } from '../../../protocol/money.js';
import type { PaymentMethod } from '../../../protocol/schemas/payment.js';
import type { Receipt } from '../../../protocol/schemas/receipt.js';

export interface ReceiptLayout {
  /** Printer width in characters at normal size (the driver reports it). */
  columns: number;
  /** IANA zone of the community, for the printed time. */
  timeZone: string;
  /** A second print of the same receipt (e.g. after a crash mid-print) is marked as such. */
  reprint?: boolean;
  /** The admin's lines (remote settings `receipt.headerLines` / `footerLines`), centred; the driver wraps. */
  lines?: ReceiptLines;
}

export interface ReceiptLines {
  header: readonly string[];
  footer: readonly string[];
}

const METHOD_ZH: Record<PaymentMethod, string> = { terminal: '银行卡 Card', qr: '扫码 QR' };

/**
 * The receipt as a document (the driver encodes it for its printer). Chinese first; the amount uses the
 * fullwidth ￥ because U+00A5 needs a four-byte GB18030 sequence that many printers misprint.
 */
export function buildReceiptJob(receipt: Receipt, layout: ReceiptLayout): ReceiptJob {
  const label = Math.min(12, Math.floor(layout.columns / 3));
  const rows: string[][] = [
    ['缴费项目', receipt.billerName.zh],
    ['户号', receipt.accountMasked],
    ['账期', receipt.period],
    ['缴费时间', formatTime(receipt.paidAt, layout.timeZone)],
    ['支付方式', METHOD_ZH[receipt.method]],
  ];
  if (receipt.maskedCard) rows.push(['卡号', receipt.maskedCard]);
  if (receipt.authCode) rows.push(['授权码', receipt.authCode]);

  const blocks: ReceiptBlock[] = [
    ...(layout.lines?.header ?? []).map((text): ReceiptBlock => ({ kind: 'text', text, align: 'center' })),
    { kind: 'text', text: receipt.communityName, align: 'center', bold: true, width: 2, height: 2 },
    { kind: 'text', text: '缴费凭证  Payment receipt', align: 'center' },
  ];
  if (layout.reprint) blocks.push({ kind: 'text', text: '** 补打 REPRINT **', align: 'center', bold: true });
  blocks.push(
    { kind: 'rule' },
    {
      kind: 'table',
      columns: [{ width: label }, { width: layout.columns - label, align: 'right' }],
      rows,
    },
    { kind: 'rule' },
    { kind: 'text', text: `金额 Amount  ￥${formatFen(receipt.amountFen)}`, bold: true, width: 2, height: 2 },
    { kind: 'rule' },
    { kind: 'text', text: `交易号 ${receipt.paymentId}` },
    { kind: 'text', text: `凭证号 ${receipt.id}` },
    { kind: 'feed', lines: 1 },
    { kind: 'qr', data: receipt.verifyUrl, size: 6, align: 'center' },
    { kind: 'text', text: '扫码验证凭证真伪  Scan to verify', align: 'center' },
    ...(layout.lines?.footer ?? []).map((text): ReceiptBlock => ({ kind: 'text', text, align: 'center' })),
    { kind: 'feed', lines: 3 },
    { kind: 'cut' },
  );
  return { id: receipt.id, blocks };
}

export function formatTime(iso: string, timeZone: string): string {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    // A node created with a zone this Node build does not know still gets a readable China time.
    zone = 'Asia/Shanghai';
  }
  const fmt = new Intl.DateTimeFormat('zh-CN', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
  const parts = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}
