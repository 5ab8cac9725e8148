import type { I18nText } from '../../../protocol/schemas/common.js';
import type { Material } from '../../../protocol/schemas/services.js';

export type Lang = 'zh' | 'en';

/** The text in the resident's language; an admin may leave English out, then Chinese is printed. */
export const pick = (t: I18nText, lang: Lang): string => (lang === 'en' ? (t.en ?? t.zh) : t.zh);

/** "原件 1 份" / "复印件 2 份": whether the original must be shown, and how many sheets to bring. */
export function materialLine(m: Material, lang: Lang): string {
  if (lang === 'en') return `${m.original ? 'original' : 'photocopy'} x${m.copies}`;
  return `${m.original ? '原件' : '复印件'} ${m.copies} 份`;
}

export const LABELS = {
  zh: {
    colon: '：',
    materials: '办事材料清单',
    bring: '需带材料',
    timeLimit: '办理时限',
    fee: '收费标准',
    office: '办理地点',
    address: '地址',
    hours: '办公时间',
    phone: '咨询电话',
    printed: '打印时间',
    slip: '预约凭条',
    number: '排队号',
    matter: '办理事项',
    time: '预约时间',
    code: '预约码',
    scan: '扫码查看或取消预约',
    arrive: '请按预约时间携带以下材料到场',
  },
  en: {
    colon: ': ',
    materials: 'Materials to bring',
    bring: 'Bring',
    timeLimit: 'Time limit',
    fee: 'Fee',
    office: 'Office',
    address: 'Address',
    hours: 'Hours',
    phone: 'Phone',
    printed: 'Printed',
    slip: 'Appointment slip',
    number: 'Queue number',
    matter: 'Service',
    time: 'Time',
    code: 'Booking code',
    scan: 'Scan to view or cancel',
    arrive: 'Please come on time and bring',
  },
} as const;
