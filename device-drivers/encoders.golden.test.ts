import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as alpha from './led-controller/alpha-protocol.js';
import { encodeFrame } from './payment-terminal/frame.js';
import type { RasterImage } from './receipt-printer/encoder/raster-text.js';
import { encodeReceipt } from './receipt-printer/encoder/receipt-encoder.js';
import { CN_80MM, EPSON_TM_T88 } from './receipt-printer/profiles.js';

/** Golden byte fixtures for every encoder: `UPDATE_GOLDEN=1 npx vitest run device-drivers/encoders.golden` rewrites them. */
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const hex = (b: Uint8Array): string =>
  (
    Buffer.from(b)
      .toString('hex')
      .match(/.{1,64}/g) ?? []
  ).join('\n') + '\n';

/** Only an explicit UPDATE_GOLDEN=1 writes a reference: a missing one fails, so a lost file cannot pass. */
function golden(name: string, bytes: Uint8Array): void {
  const file = join(dir, `${name}.hex`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, hex(bytes));
  if (!existsSync(file)) {
    throw new Error(
      `no golden reference ${file}; create it with \`UPDATE_GOLDEN=1 npx vitest run device-drivers/encoders.golden\`, check the bytes, and commit it`,
    );
  }
  expect(hex(bytes), `${name} differs from ${file}`).toBe(readFileSync(file, 'utf8'));
}

// A deterministic stand-in for sharp, so the fixture does not depend on the installed fonts.
const fakeRaster = async (text: string): Promise<RasterImage> => ({
  widthBytes: 2,
  height: 2,
  bits: Uint8Array.from([text.length & 0xff, 0xff, 0x00, 0x81]),
});

const job = {
  id: 'golden-1',
  blocks: [
    { kind: 'text', text: '幸福里社区 缴费凭证', align: 'center', bold: true, width: 2, height: 2 },
    { kind: 'rule' },
    {
      kind: 'table',
      columns: [{ width: 24 }, { width: 24, align: 'right' }],
      rows: [['水费 Water', '¥128.50']],
    },
    { kind: 'qr', data: 'https://linli.example/r/rcp_1', size: 6 },
    { kind: 'feed', lines: 1 },
    { kind: 'cut', partial: true },
  ],
} as const;

describe('golden encoder output', () => {
  it('ESC/POS for the Chinese 80 mm profile (FS &, GBK, ￥, GS ( k, GS V)', async () => {
    const bytes = await encodeReceipt(job, CN_80MM, { rasterizer: fakeRaster });
    golden('receipt-cn-80mm', bytes);
    const s = Buffer.from(bytes).toString('hex');
    // ESC @, the job tag (GS ( k fn 80: QR storage, never printed: "LINLI-JOB:golden-1"), FS &
    const tag = Buffer.from('LINLI-JOB:golden-1').toString('hex');
    expect(s.startsWith(`1b401d286b1500315030${tag}1c26`)).toBe(true);
    expect(s).toContain('a3a4'); // ￥ in GBK, never GB18030 81308436
    expect(s).not.toContain('81308436');
    expect(s).toContain('1d286b'); // GS ( k
    expect(s).toContain('1d5601'); // GS V partial cut
  });

  it('ESC/POS for the Epson profile: Chinese lines as GS v 0 raster', async () => {
    const bytes = await encodeReceipt(job, EPSON_TM_T88, { rasterizer: fakeRaster, reprint: true });
    golden('receipt-epson-tm-t88-reprint', bytes);
    expect(Buffer.from(bytes).toString('hex')).toContain('1d763000');
  });

  it('Alpha protocol packets', () => {
    const pixels = new Uint8Array(8 * 7);
    pixels[0] = 1;
    pixels[55] = 1;
    golden(
      'alpha-dots-picture',
      alpha.packet('00', alpha.dotsPicture('a', { width: 8, height: 7, colors: 1, pixels })),
    );
    golden('alpha-text', alpha.packet('01', alpha.textFile('A', 'rotate', alpha.signText('WATER OFF'), 3)));
    golden('alpha-dimming', alpha.packet('00', alpha.dimming(8)));
  });

  it('payment terminal frame', () => {
    golden('terminal-frame', encodeFrame('{"PaymentRequest":{"RequestedAmount":100}}'));
  });
});
