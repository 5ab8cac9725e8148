import type { ServiceCategory } from '../../../../../protocol/schemas/services.js';
import { t } from './seed-types.js';

/** The categories a new city starts with; admins rename, re-order or add to them. */
export const SEED_CATEGORIES: ServiceCategory[] = [
  { id: 'elderly', name: t('老年人服务', 'Older people'), icon: 'elderly', order: 10 },
  { id: 'social-assistance', name: t('社会救助', 'Social assistance'), icon: 'assistance', order: 20 },
  { id: 'household', name: t('户籍与居住', 'Residence and hukou'), icon: 'household', order: 30 },
  { id: 'employment', name: t('就业社保', 'Jobs and social insurance'), icon: 'employment', order: 40 },
  { id: 'health', name: t('医疗卫生', 'Health care'), icon: 'health', order: 50 },
  { id: 'family', name: t('生育与家庭', 'Birth and family'), icon: 'family', order: 60 },
  {
    id: 'disability',
    name: t('残疾人服务', 'Disability services'),
    icon: 'disability',
    order: 70,
  },
];
