/**
 * Service matters and appointments in the kiosk touch UI, in Chromium, by taps (issue #6): search by pinyin
 * initials, the matter's published fields, printing the list of materials, booking a slot and cancelling it
 * by the code on the number pad or by a slip scanner, and the offline error with the office phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScreen as check, checkedScreens } from '../../../tests/helpers/kiosk-ui-checks.js';
import {
  type KioskUiWorld,
  kioskCall,
  OFFICE_PHONE,
  startKioskUiWorld,
  TouchPage,
} from '../../../tests/helpers/kiosk-ui-world.js';
import { hasChromium, missing } from '../../../tests/helpers/requirements.js';

let world: KioskUiWorld;

async function findSeniorCard(p: TouchPage): Promise<void> {
  await p.tap('[data-testid="go-services"]');
  await p.tap('[data-testid="go-search"]');
  for (const l of 'LNR') await p.tap(`.letters .key[data-key="${l}"]`);
  await p.page.waitForSelector('#search-results .matter');
  const names = await p.page.locator('#search-results .matter strong').allTextContents();
  expect(names[0]).toBe('老年人优待证办理');
  await p.tap('#search-results .matter');
  await p.screen('matter');
  await p.page.waitForSelector('.matter-detail');
}

describe.skipIf(missing('chromium', hasChromium()))(
  'kiosk touch UI: services and appointments',
  { timeout: 150_000 },
  () => {
    beforeAll(async () => {
      world = await startKioskUiWorld({ voice: { defaultOn: false } });
    }, 120_000);
    afterAll(async () => {
      await world?.stop();
      process.stdout.write(
        `[kiosk-ui] screens checked: ${checkedScreens.length} (${checkedScreens.join(', ')})\n`,
      );
    });

    it('finds 老年人优待证办理 by the initials LNR, shows every published field and prints the materials', async () => {
      const p = await TouchPage.open(world);
      try {
        await findSeniorCard(p);
        const text = (await p.page.textContent('main'))!;
        for (const part of [
          '老年人优待证办理',
          '《中华人民共和国老年人权益保障法》第五十七条',
          '年满60周岁',
          '居民身份证',
          '近期一寸免冠彩色照片',
          '也可在社区服务站现场免费拍照',
          '1 份',
          '原件',
          '无需原件',
          '携带材料到社区服务站窗口提出申请',
          '5个工作日内办结',
          '免费',
          '阳光社区党群服务中心',
          '阳光路 88 号一楼',
          '每天 8:00–20:00',
          OFFICE_PHONE,
        ]) {
          expect(text).toContain(part);
        }
        // Each label once: the office block's heading is not a second 办理地点.
        expect(text.split('办理地点').length - 1).toBe(1);
        await p.tap('[data-testid="print-materials"]');
        await p.page.waitForSelector('.matter-detail .panel-ok');
        expect(await p.page.textContent('.panel-ok')).toContain('已打印');
        // The language switch keeps the screen: the same matter, in English.
        await p.tap('[data-testid="lang"]');
        await p.page.waitForSelector('text=Senior citizen preferential card');
        expect(await p.page.textContent('main')).toContain('What to bring');
        await p.screen('matter');
      } finally {
        await p.close();
      }
    });

    it('a quick word finds matters too; nothing found says so', async () => {
      const p = await TouchPage.open(world);
      try {
        await p.tap('[data-testid="go-services"]');
        await p.tap('[data-testid="go-search"]');
        await p.tap('.words .key[data-key="残疾"]');
        await p.page.waitForSelector('#search-results .matter');
        expect(await p.page.textContent('#search-results')).toContain('残疾人证办理');
        for (const l of 'QQQ') await p.tap(`.letters .key[data-key="${l}"]`);
        await p.page.waitForSelector('text=没有找到');
      } finally {
        await p.close();
      }
    });

    it('books an appointment from the matter, then cancels it by typing the code on the number pad', async () => {
      const p = await TouchPage.open(world);
      try {
        await findSeniorCard(p);
        await p.tap('[data-testid="book-matter"]');
        await p.page.waitForSelector('.day:not([disabled])');
        // Seven days ahead: every weekday is named, Sunday (周日) too.
        const days = await p.page.locator('.day strong').allTextContents();
        expect(days).toHaveLength(7);
        for (const d of days) expect(d).toMatch(/^\d{1,2}月\d{1,2}日 周[一二三四五六日]$/);
        expect(new Set(days.map((d) => d.slice(-1))).size).toBe(7);
        await p.tap('.day:not([disabled])');
        await p.page.waitForSelector('.slot:not([disabled])');
        await p.tap('.slot:not([disabled])');
        await p.screen('appt-confirm');
        // The time row writes the date once: "12月8日 周二 09:00–09:30", never "2026-12-08 2026-12-08 …".
        const when = await p.page.evaluate(
          `[...document.querySelectorAll('.facts .fact')].find((f) => f.querySelector('dt').textContent === '时间').querySelector('dd').textContent`,
        );
        expect(when).toMatch(/^\d{1,2}月\d{1,2}日 周[一二三四五六日] \d{2}:\d{2}–\d{2}:\d{2}$/);
        expect(await p.page.textContent('main')).not.toMatch(/\d{4}-\d{2}-\d{2}/);
        await p.tap('[data-testid="confirm-booking"]');
        await p.screen('appt-slip');
        const number = (await p.page.textContent('[data-testid="queue-number"]'))!;
        const code = (await p.page.textContent('[data-testid="booking-code"]'))!;
        expect(number).toMatch(/^[A-Z]\d{3}$/);
        expect(code).toMatch(/^\d{8}$/);
        expect(await p.page.textContent('main')).toContain('预约凭条已打印');
        await p.page.waitForFunction("document.querySelector('.slip img.qr')?.naturalWidth > 0");
        await p.tap('[data-testid="done"]');
        await p.tap('[data-testid="go-appointments"]');
        await p.tap('[data-testid="appt-cancel"]');
        await p.digits(code);
        await p.tap('[data-testid="find-booking"]');
        await p.page.waitForSelector('[data-testid="confirm-cancel"]');
        expect(await p.page.textContent('[data-testid="queue-number"]')).toBe(number);
        await p.tap('[data-testid="confirm-cancel"]');
        await p.page.waitForSelector('[data-status="canceled"] .panel-ok');
        expect(await p.page.textContent('main')).toContain('预约已取消');
      } finally {
        await p.close();
      }
    });

    it('a slip scanner types the QR link into the focused field: the booking is found and can be cancelled', async () => {
      const p = await TouchPage.open(world);
      try {
        await p.tap('[data-testid="go-appointments"]');
        await p.tap('[data-testid="appt-book"]');
        await p.tap('.matter[data-matter]');
        await p.tap('.day:not([disabled])');
        await p.tap('.slot:not([disabled])');
        await p.tap('[data-testid="confirm-booking"]');
        await p.screen('appt-slip');
        const code = (await p.page.textContent('[data-testid="booking-code"]'))!;
        const { verifyUrl } = await kioskCall<{ verifyUrl: string }>(
          world.kiosk,
          '/kiosk/api/appointments/lookup',
          {
            code,
          },
        );
        await p.tap('[data-testid="done"]');
        await p.tap('[data-testid="go-appointments"]');
        await p.tap('[data-testid="appt-cancel"]');
        // A keyboard-wedge scanner: keystrokes into whatever has focus, then Enter.
        await p.page.keyboard.type(verifyUrl);
        await p.page.keyboard.press('Enter');
        await p.tap('[data-testid="confirm-cancel"]');
        await p.page.waitForSelector('[data-status="canceled"] .panel-ok');
      } finally {
        await p.close();
      }
    });

    it('every services and appointments screen passes axe and the size checks, in both orientations', async () => {
      const p = await TouchPage.open(world);
      try {
        await p.tap('[data-testid="go-services"]');
        await p.page.waitForSelector('[data-category]');
        await check(p, 'services');
        await p.tap('[data-category="elderly"]');
        await p.page.waitForSelector('.matter');
        await check(p, 'services-list');
        await p.tap('[data-testid="back"]');
        await p.tap('[data-testid="go-search"]');
        for (const l of 'LNR') await p.tap(`.letters .key[data-key="${l}"]`);
        await p.page.waitForSelector('#search-results .matter');
        await check(p, 'services-search');
        await p.tap('#search-results .matter');
        await p.page.waitForSelector('.matter-detail');
        await p.tap('[data-testid="print-materials"]');
        await p.page.waitForSelector('.matter-detail .panel-ok');
        await check(p, 'matter');
        await p.tap('[data-testid="book-matter"]');
        await p.page.waitForSelector('.day:not([disabled])');
        await check(p, 'appt-days');
        await p.tap('.day:not([disabled])');
        await p.page.waitForSelector('.slot');
        await check(p, 'appt-slots');
        await p.tap('.slot:not([disabled])');
        await check(p, 'appt-confirm');
        await p.tap('[data-testid="confirm-booking"]');
        await p.page.waitForSelector('.slip img.qr');
        await p.page.waitForFunction("document.querySelector('.slip img.qr').naturalWidth > 0");
        await check(p, 'appt-slip');
        const code = (await p.page.textContent('[data-testid="booking-code"]'))!;
        await p.tap('[data-testid="done"]');
        await p.tap('[data-testid="go-appointments"]');
        await check(p, 'appointments');
        await p.tap('[data-testid="appt-cancel"]');
        await p.digits(code);
        await check(p, 'appt-cancel');
        await p.tap('[data-testid="find-booking"]');
        await p.tap('[data-testid="confirm-cancel"]');
        await p.page.waitForSelector('[data-status="canceled"] .panel-ok');
        await check(p, 'appt-canceled');
      } finally {
        await p.close();
      }
    });

    it('offline: booking says so clearly and gives the office phone', async () => {
      const p = await TouchPage.open(world);
      try {
        await p.tap('[data-testid="go-appointments"]');
        await p.tap('[data-testid="appt-book"]');
        await p.tap('.matter[data-matter]');
        await p.page.waitForSelector('.day:not([disabled])');
        await world.procs[0]!.stop();
        await p.tap('.day:not([disabled])');
        await p.page.waitForSelector('[data-testid="office-phone"]', { timeout: 20_000 });
        expect(await p.page.textContent('[data-testid="office-phone"]')).toContain(OFFICE_PHONE);
        expect(await p.page.textContent('main')).toContain('预约需要联网');
      } finally {
        await p.close();
      }
    });
  },
);
