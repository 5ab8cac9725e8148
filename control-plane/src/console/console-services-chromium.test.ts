import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API } from '../../../protocol/api.js';
import type { DaysResponse, SlotsResponse } from '../../../protocol/schemas/services.js';
import type { MatterListResponse } from '../../../protocol/schemas/services-admin.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium, missing } from '../../../tests/helpers/requirements.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { officeBody } from '../testing/service-fixtures.js';
import { TestDevice } from '../testing/test-device.js';

let h: Harness;
let browser: Browser;
let page: Page;
let base: string;
let bookedDate: string;
let bookedNumber: string;

const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

describe.skipIf(missing('chromium', hasChromium()))(
  'admin console: service matters and appointments',
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      h = await createHarness();
      const { community } = await h.sunshine();
      await h.admin({ method: 'POST', url: API.adminOffices, payload: officeBody(community.id) });
      const kiosk = new TestDevice();
      await kiosk.enroll(h.app, (await h.token(community.id, 'kiosk')).token, 'kiosk');
      const { matters } = (
        await h.admin({ method: 'GET', url: API.adminMatters })
      ).json() as MatterListResponse;
      const matterId = matters.find((m) => m.name.zh === '老年人优待证办理')!.id;
      // The first open day with a free slot, whatever day the test runs.
      const days = (
        await kiosk.call(h.app, { method: 'GET', url: `${API.deviceAppointmentDays}?matterId=${matterId}` })
      ).json() as DaysResponse;
      bookedDate = days.days.find((d) => d.open && d.free > 0)!.date;
      const slots = (
        await kiosk.call(h.app, {
          method: 'GET',
          url: `${API.deviceAppointmentSlots}?matterId=${matterId}&date=${bookedDate}`,
        })
      ).json() as SlotsResponse;
      const res = await kiosk.call(h.app, {
        method: 'POST',
        url: API.deviceAppointments,
        payload: { matterId, slotStart: slots.slots[0]!.start },
        headers: { 'idempotency-key': 'console-test-booking-0001' },
      });
      bookedNumber = (res.json() as { envelope: { payload: { number: string } } }).envelope.payload.number;
      base = await h.app.listen({ port: 0, host: '127.0.0.1' });
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await page.goto(`${base}/console`);
      await page.fill('#username', 'admin');
      await page.fill('#password', h.password);
      await page.click('#login-form button[type=submit]');
      await page.locator('h1', { hasText: '概览' }).waitFor();
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    it('edits a matter: the new materials and time limit are stored, English kept where the Chinese did not change', async () => {
      await page.click('nav a[href="#services"]');
      await page.locator('button[aria-label="编辑 Edit 老年人优待证办理"]').click();
      const materials = page.locator('#m-materials');
      await materials.fill(`${await materials.inputValue()}\n近期体检报告 | 1 | 原件`);
      await page.fill('#m-time', '即时办结（材料齐全）');
      await page.click('#matter-form button[type=submit]');
      await poll(() => page.locator('#flash').textContent()).toContain('LNRYDZBL');
      const { matters } = (
        await h.admin({ method: 'GET', url: API.adminMatters })
      ).json() as MatterListResponse;
      const m = matters.find((x) => x.name.zh === '老年人优待证办理')!;
      expect(m.timeLimit).toEqual({ zh: '即时办结（材料齐全）' });
      expect(m.materials.at(-1)).toEqual({ name: { zh: '近期体检报告' }, copies: 1, original: true });
      expect(m.materials[0]!.name.en).toBeTruthy();
      expect(m.name.en).toBeTruthy();
    });

    it('refuses a malformed materials line without saving anything', async () => {
      await page.locator('button[aria-label="编辑 Edit 老年人优待证办理"]').click();
      await page.locator('#m-materials').fill('身份证 | 很多 | 原件');
      await page.click('#matter-form button[type=submit]');
      await poll(() => page.locator('#flash').textContent()).toContain('第 1 行');
      const { matters } = (
        await h.admin({ method: 'GET', url: API.adminMatters })
      ).json() as MatterListResponse;
      expect(matters.find((x) => x.name.zh === '老年人优待证办理')!.materials.at(-1)!.name.zh).toBe(
        '近期体检报告',
      );
    });

    it('lists the day’s appointments and cancels one', async () => {
      await page.fill('#apt-date', bookedDate);
      await page.click('#apt-date-form button[type=submit]');
      const cancel = page.locator(`button[aria-label="取消预约 Cancel ${bookedNumber}"]`);
      await cancel.click();
      await poll(() => page.locator('#flash').textContent()).toContain(`已取消 Canceled ${bookedNumber}`);
      await poll(() => page.locator('table', { hasText: bookedNumber }).textContent()).toContain('canceled');
      const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
      expect(r.violations.map((v) => v.id)).toEqual([]);
      await page.screenshot({ path: 'test-artifacts/console/services.png', fullPage: true });
    });
  },
);
