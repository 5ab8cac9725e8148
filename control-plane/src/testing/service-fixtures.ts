import type { OfficeInput } from '../../../protocol/schemas/services-admin.js';

/** A community office as the demo has it: Mon–Fri 09:00–12:00 and 14:00–17:30, 30-minute slots of 3. */
export const officeBody = (nodeId: string, patch: Partial<OfficeInput> = {}): OfficeInput => ({
  nodeId,
  name: { zh: '阳光社区党群服务中心', en: 'Sunshine Community Service Centre' },
  address: { zh: '幸福街道阳光路18号一楼', en: '1F, 18 Yangguang Road' },
  hours: { zh: '周一至周五 09:00–12:00，14:00–17:30', en: 'Mon–Fri 09:00–12:00, 14:00–17:30' },
  phone: '021-5555 0101',
  timezone: 'Asia/Shanghai',
  slots: {
    weekdays: [5, 1, 2, 3, 4],
    windows: [
      { start: '14:00', end: '17:30' },
      { start: '09:00', end: '12:00' },
    ],
    slotMinutes: 30,
    capacityPerSlot: 3,
    daysAhead: 7,
    closedDates: [],
  },
  ...patch,
});
