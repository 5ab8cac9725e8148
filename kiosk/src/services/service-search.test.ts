import { describe, expect, it } from 'vitest';
import { serviceCatalogue } from '../testing/service-fixtures.js';
import { ServiceCatalogueView } from './service-catalogue.js';
import { rankMatter, searchMatters } from './service-search.js';

const catalogue = serviceCatalogue();
const names = (q: string) => searchMatters(catalogue.matters, q).map((m) => m.name.zh);

describe('service matter search', () => {
  it('finds by a Chinese substring, exact and prefix first', () => {
    expect(names('老年人')).toEqual(['老年人优待证办理']);
    expect(names('办理')).toEqual(['老年人优待证办理', '居住证办理']);
    expect(names('申请')).toEqual(['高龄津贴申请', '最低生活保障申请']);
    expect(rankMatter(catalogue.matters[0]!, '老年人优待证办理')).toBe(0);
    expect(rankMatter(catalogue.matters[0]!, '老年人')).toBeLessThan(
      rankMatter(catalogue.matters[0]!, '优待证')!,
    );
    expect(names('水电')).toEqual([]);
  });

  it('finds by pinyin initials, case-insensitive, prefix before substring', () => {
    expect(names('lnr')).toEqual(['老年人优待证办理']);
    expect(names('LNRYDZBL')).toEqual(['老年人优待证办理']);
    // "bl" starts nothing but ends 老年人优待证办理 (LNRYDZBL) and 居住证办理 (JZZBL).
    expect(names('bl')).toEqual(['老年人优待证办理', '居住证办理']);
    // "z" starts ZDSHBZSQ and is inside LNRYDZBL and JZZBL: the prefix match comes first.
    expect(names('z')).toEqual(['最低生活保障申请', '老年人优待证办理', '居住证办理']);
    expect(names('sq')).toEqual(['高龄津贴申请', '最低生活保障申请']);
  });

  it('finds by English words', () => {
    expect(names('senior')).toEqual(['老年人优待证办理']);
    expect(names('Senior card')).toEqual(['老年人优待证办理']);
    expect(names('allowance')).toEqual(['高龄津贴申请', '最低生活保障申请']);
    expect(names('residence permit')).toEqual(['居住证办理']);
  });

  it('lists by category and order, filters with q, and says when there is no catalogue yet', () => {
    const view = new ServiceCatalogueView(() => ({ catalogue, version: 'abc' }));
    const all = view.list();
    expect(all.categories.map((c) => c.id)).toEqual(['elderly', 'civil-affairs']);
    expect(all.matters.map((m) => m.initials)).toEqual(['LNRYDZBL', 'GLJTSQ', 'JZZBL', 'ZDSHBZSQ']);
    expect(view.list('jzz').matters.map((m) => m.initials)).toEqual(['JZZBL']);
    const detail = view.detail(catalogue.matters[0]!.id);
    expect(detail.office).toMatchObject({ phone: '0571-8888 6666', name: { zh: '幸福里社区党群服务中心' } });
    expect(detail).not.toHaveProperty('order');
    expect(() => view.matter('svc_01JDQ0000000000000000000AB')).toThrow(
      expect.objectContaining({ code: 'LINLI_ERR_MATTER_NOT_FOUND' }),
    );
    const empty = new ServiceCatalogueView(() => ({ catalogue: undefined, version: undefined }));
    expect(() => empty.list()).toThrow(expect.objectContaining({ code: 'LINLI_ERR_SERVICES_NOT_READY' }));
  });
});
