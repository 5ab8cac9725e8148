import { newId } from '../../../protocol/ids.js';
import type { Matter, Office, ServiceCatalogue } from '../../../protocol/schemas/services.js';

/** A small catalogue like a community publishes: the demo's 老年人优待证办理 and a few neighbours. */
export function serviceCatalogue(nodeId: string = newId('node')): ServiceCatalogue {
  const office: Office = {
    id: newId('ofc'),
    nodeId,
    name: { zh: '幸福里社区党群服务中心', en: 'Xingfuli Community Service Centre' },
    address: { zh: '幸福路 88 号一楼', en: '1F, 88 Xingfu Road' },
    hours: { zh: '周一至周五 9:00–17:00', en: 'Mon–Fri 9:00–17:00' },
    phone: '0571-8888 6666',
    timezone: 'Asia/Shanghai',
    slots: {
      weekdays: [1, 2, 3, 4, 5],
      windows: [
        { start: '09:00', end: '11:30' },
        { start: '14:00', end: '17:00' },
      ],
      slotMinutes: 30,
      capacityPerSlot: 3,
      daysAhead: 7,
      closedDates: [],
    },
  };
  const base = {
    legalBasis: {
      zh: '《中华人民共和国老年人权益保障法》',
      en: 'Law on the Protection of the Rights of the Elderly',
    },
    covers: { zh: '年满 60 周岁的本市户籍老年人', en: 'Residents aged 60 or over' },
    steps: [
      { zh: '携带材料到社区窗口', en: 'Bring the materials to the community desk' },
      { zh: '窗口受理并审核', en: 'The desk checks them' },
    ],
    timeLimit: { zh: '即时办结', en: 'Done on the spot' },
    fee: { zh: '不收费', en: 'Free' },
  };
  const matter = (
    m: Partial<Matter> & Pick<Matter, 'name' | 'initials' | 'categoryId'>,
    order: number,
  ): Matter => ({
    id: newId('svc'),
    ...base,
    materials: [],
    bookable: true,
    order,
    ...m,
  });
  return {
    categories: [
      { id: 'elderly', name: { zh: '老年人服务', en: 'Older people' }, icon: 'elderly', order: 1 },
      { id: 'civil-affairs', name: { zh: '民政事务', en: 'Civil affairs' }, icon: 'civil', order: 2 },
    ],
    offices: [office],
    updatedAt: new Date().toISOString(),
    matters: [
      matter(
        {
          categoryId: 'elderly',
          name: { zh: '老年人优待证办理', en: 'Senior citizen privilege card' },
          initials: 'LNRYDZBL',
          materials: [
            { name: { zh: '居民身份证', en: 'Resident ID card' }, copies: 1, original: true },
            {
              name: { zh: '户口簿', en: 'Household register' },
              copies: 2,
              original: false,
              note: { zh: '户主页和本人页', en: 'head-of-household page and own page' },
            },
            { name: { zh: '一寸免冠照片', en: 'One-inch photo' }, copies: 2, original: false },
          ],
        },
        1,
      ),
      matter(
        {
          categoryId: 'elderly',
          name: { zh: '高龄津贴申请', en: 'Old-age allowance application' },
          initials: 'GLJTSQ',
          bookable: false,
        },
        2,
      ),
      matter(
        {
          categoryId: 'civil-affairs',
          name: { zh: '居住证办理', en: 'Residence permit' },
          initials: 'JZZBL',
        },
        1,
      ),
      matter(
        {
          categoryId: 'civil-affairs',
          name: { zh: '最低生活保障申请', en: 'Minimum living allowance' },
          initials: 'ZDSHBZSQ',
        },
        2,
      ),
    ],
  };
}
