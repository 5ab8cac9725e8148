import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptPrinter } from '../../../device-drivers/contracts/receipt-printer.js';
import { createReceiptPrinter, getSimulator, startDevice } from '../../../device-drivers/index.js';
import { newId } from '../../../protocol/ids.js';
import type { AppointmentSlip } from '../../../protocol/schemas/services.js';
import { serviceCatalogue } from '../testing/service-fixtures.js';
import { buildMaterialsJob } from './materials-document.js';
import { buildSlipJob } from './slip-document.js';

let printer: ReceiptPrinter;
const catalogue = serviceCatalogue();
const matter = catalogue.matters[0]!;
const office = catalogue.offices[0]!;

/** Prints through the real ESC/POS driver into the simulator, which decodes the bytes back into lines. */
async function printed(job: Parameters<ReceiptPrinter['print']>[0]) {
  await printer.print(job);
  const sim = getSimulator(printer)!.printer!;
  await sim.flush();
  const r = sim.receipts.at(-1)!;
  expect(r.complete).toBe(true);
  if (process.env.SHOW_PRINT) process.stderr.write(`${r.text.join('\n')}\n`);
  return { text: r.text.join('\n'), bytes: Buffer.from(r.bytes) };
}

beforeAll(async () => {
  printer = await createReceiptPrinter({ transport: { kind: 'sim' } });
  await startDevice(printer);
});
afterAll(async () => {
  await printer.close();
});

describe('printed service documents', () => {
  it('prints the list of materials in Chinese: title, materials with copies and originals, office, time limit', async () => {
    const { text } = await printed(
      buildMaterialsJob(matter, office, { lang: 'zh', timeZone: 'Asia/Shanghai', jobId: 'mat-1' }),
    );
    expect(text).toContain('办事材料清单');
    expect(text).toContain('老年人优待证办理');
    expect(text).toContain('1. 居民身份证');
    expect(text).toContain('原件 1 份');
    expect(text).toContain('2. 户口簿');
    expect(text).toContain('复印件 2 份');
    expect(text).toContain('户主页和本人页');
    expect(text).toContain('3. 一寸免冠照片');
    expect(text).toContain('办理时限：即时办结');
    expect(text).toContain('收费标准：不收费');
    expect(text).toContain('办理地点：幸福里社区党群服务中心');
    expect(text).toContain('地址：幸福路 88 号一楼');
    expect(text).toContain('办公时间：周一至周五 9:00');
    expect(text).toContain('咨询电话：0571-8888 6666');
    // Materials come in the order the office asks for them.
    expect(text.indexOf('居民身份证')).toBeLessThan(text.indexOf('户口簿'));
  });

  it('prints the same list in English when asked', async () => {
    const { text } = await printed(
      buildMaterialsJob(matter, office, { lang: 'en', timeZone: 'Asia/Shanghai', jobId: 'mat-2' }),
    );
    expect(text).toContain('Materials to bring');
    expect(text).toContain('Senior citizen privilege card'.slice(0, 12));
    expect(text).toContain('1. Resident ID card');
    expect(text).toContain('original x1');
    expect(text).toContain('photocopy x2');
    expect(text).toContain('Phone: 0571-8888 6666');
    expect(text).not.toContain('原件');
  });

  it('prints an appointment slip: big queue number, matter, office, time, code, materials and the QR', async () => {
    const slip: AppointmentSlip = {
      type: 'linli.appointment/v1',
      id: newId('apt'),
      number: 'A012',
      code: '48213906',
      status: 'booked',
      matterId: matter.id,
      matterName: matter.name,
      officeId: office.id,
      officeName: office.name,
      officeAddress: office.address,
      officePhone: office.phone,
      slotStart: '2026-11-30T01:00:00.000Z',
      slotEnd: '2026-11-30T01:30:00.000Z',
      slotLabel: '2026-11-30 09:00–09:30',
      createdAt: new Date().toISOString(),
      verifyUrl: 'http://127.0.0.1:8080/a/apt_01JDQ0000000000000000000AB',
    };
    const job = buildSlipJob(slip, matter, { communityName: '幸福里社区' });
    const big = job.blocks.find((b) => b.kind === 'text' && b.text === 'A012');
    expect(big).toMatchObject({ width: 4, height: 4, bold: true });
    const { text, bytes } = await printed(job);
    expect(text).toContain('预约凭条');
    expect(text).toContain('A012');
    expect(text).toContain('办理事项：老年人优待证办理');
    expect(text).toContain('预约时间：2026-11-30 09:00');
    expect(text).toContain('办理地点：幸福里社区党群服务中心');
    expect(text).toContain('地址：幸福路 88 号一楼');
    expect(text).toContain('预约码：48213906');
    expect(text).toContain('居民身份证');
    expect(text).toContain('扫码查看或取消预约');
    // GS ( k: the QR of the verify URL is in the byte stream.
    expect(bytes.includes(Buffer.from([0x1d, 0x28, 0x6b]))).toBe(true);
    expect(bytes.includes(Buffer.from(slip.verifyUrl, 'latin1'))).toBe(true);
  });
});
