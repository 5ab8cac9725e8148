import type { ReceiptBlock } from '../device-drivers/contracts/receipt-printer.js';
import { encodeReceipt } from '../device-drivers/receipt-printer/encoder/receipt-encoder.js';
import { CN_80MM } from '../device-drivers/receipt-printer/profiles.js';
import type { Benchmark } from './run.js';
import { percentile, round } from './stats.js';

/** A typical 30-line Chinese utility receipt with a QR, encoded to ESC/POS for the Chinese 80 mm profile. */
function receipt(): ReceiptBlock[] {
  const blocks: ReceiptBlock[] = [
    { kind: 'text', text: '幸福里社区 便民缴费凭证', align: 'center', bold: true, width: 2, height: 2 },
    { kind: 'rule' },
  ];
  const rows: [string, string][] = [];
  for (let i = 0; i < 22; i++)
    rows.push([`${['水费', '电费', '燃气费', '物业费'][i % 4]} 第${i + 1}期`, `¥${(1234 + i * 17) / 100}`]);
  blocks.push({ kind: 'table', columns: [{ width: 30 }, { width: 18, align: 'right' }], rows });
  blocks.push(
    { kind: 'rule' },
    { kind: 'text', text: '合计 Total: ¥1,028.36', bold: true },
    { kind: 'text', text: '户号 Account: 1234****89   交易号 pay_01HZX3' },
    { kind: 'text', text: '时间 2026-11-28 10:21:33  终端 kiosk-001' },
    { kind: 'qr', data: 'http://127.0.0.1:8080/r/rcp_01HZX3ABCDEF', size: 6 },
    { kind: 'text', text: '扫码验证收据真伪  谢谢惠顾', align: 'center' },
    { kind: 'cut' },
  );
  return blocks;
}

export const benchmark: Benchmark = {
  name: 'receipt-encode',
  summary: '30-line Chinese receipt with QR to ESC/POS (GBK, Chinese mode), median µs',
  async run(args, emit) {
    const n = Number(args[args.indexOf('--iterations') + 1]) || 2000;
    const job = { id: 'bench', blocks: receipt() };
    for (let i = 0; i < 200; i++) await encodeReceipt(job, CN_80MM);
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      bytes = (await encodeReceipt(job, CN_80MM)).length;
      samples.push((performance.now() - t0) * 1000);
    }
    emit({
      name: 'receipt-encode',
      value: round(percentile(samples, 50), 1),
      unit: 'µs',
      p50: round(percentile(samples, 50), 1),
      p99: round(percentile(samples, 99), 1),
      max: round(Math.max(...samples), 1),
      bytes,
      iterations: n,
    });
  },
};
