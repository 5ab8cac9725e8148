import { ErrorCode, LinliError } from '../../../protocol/errors.js';
import type { I18nText } from '../../../protocol/schemas/common.js';
import type { Matter, Office, ServiceCatalogue } from '../../../protocol/schemas/services.js';
import { searchMatters } from './service-search.js';

/** An office as the touch UI shows it (the booking rules stay on the device and the control plane). */
export interface OfficeView {
  id: string;
  name: I18nText;
  address: I18nText;
  hours: I18nText;
  phone: string;
}

export interface MatterSummary {
  id: string;
  categoryId: string;
  name: I18nText;
  initials: string;
  bookable: boolean;
}

export type MatterView = Omit<Matter, 'order' | 'officeId'> & { office: OfficeView };

export const officeView = (o: Office): OfficeView => ({
  id: o.id,
  name: o.name,
  address: o.address,
  hours: o.hours,
  phone: o.phone,
});

/**
 * The verified catalogue of service matters (一口式办理) this kiosk holds: it arrives inside the signed
 * manifest (content-sync.ts) and is swapped with it, so the page only ever sees a verified, complete one.
 */
export class ServiceCatalogueView {
  constructor(
    private readonly source: () => { catalogue: ServiceCatalogue | undefined; version: string | undefined },
  ) {}

  /** The catalogue, or LINLI_ERR_SERVICES_NOT_READY before the first verified one arrived. */
  ready(): ServiceCatalogue {
    const c = this.source().catalogue;
    if (!c) {
      throw new LinliError(
        ErrorCode.SERVICES_NOT_READY,
        '办事指南正在更新，请稍后再试或咨询社区工作人员。The service guide has not arrived on this kiosk yet; try again in a few minutes or ask the community office.',
      );
    }
    return c;
  }

  list(q?: string) {
    const c = this.ready();
    const byOrder = <T extends { order: number }>(xs: readonly T[]) =>
      xs
        .map((x, i) => ({ x, i }))
        .sort((a, b) => a.x.order - b.x.order || a.i - b.i)
        .map((e) => e.x);
    const catOrder = new Map(byOrder(c.categories).map((cat, i) => [cat.id, i]));
    const sorted = byOrder(c.matters).sort(
      (a, b) => (catOrder.get(a.categoryId) ?? 1e9) - (catOrder.get(b.categoryId) ?? 1e9),
    );
    const matters = q?.trim() ? searchMatters(sorted, q) : sorted;
    return {
      version: this.source().version ?? '',
      updatedAt: c.updatedAt,
      categories: byOrder(c.categories).map(({ id, name, icon }) => ({ id, name, icon })),
      matters: matters.map(
        (m): MatterSummary => ({
          id: m.id,
          categoryId: m.categoryId,
          name: m.name,
          initials: m.initials,
          bookable: m.bookable,
        }),
      ),
    };
  }

  matter(id: string): Matter {
    const m = this.ready().matters.find((x) => x.id === id);
    if (!m) {
      throw new LinliError(
        ErrorCode.MATTER_NOT_FOUND,
        '没有找到该事项，请返回重新选择。This service matter is not in the kiosk’s guide; go back and choose again.',
        { matterId: id },
      );
    }
    return m;
  }

  /** Where a matter is handled: its own office, else the first office of the catalogue (this community's). */
  officeOf(m: Matter): Office {
    const offices = this.ready().offices;
    const o = m.officeId ? offices.find((x) => x.id === m.officeId) : offices[0];
    if (!o) {
      throw new LinliError(
        ErrorCode.OFFICE_NOT_FOUND,
        '该事项暂无办理地点信息，请咨询社区工作人员。No office is listed for this matter; ask the community staff.',
        { matterId: m.id },
      );
    }
    return o;
  }

  detail(id: string): MatterView {
    const { order: _o, officeId: _i, ...m } = this.matter(id);
    return { ...m, office: officeView(this.officeOf(this.matter(id))) };
  }
}

/**
 * Cross-references the schema cannot express. A catalogue that fails them refuses the whole manifest, so the
 * kiosk keeps the one it had (a matter pointing at a missing office would strand a resident at booking).
 */
export function checkCatalogue(c: ServiceCatalogue): string | undefined {
  const dup = (ids: string[]) => ids.find((id, i) => ids.indexOf(id) !== i);
  const d =
    dup(c.categories.map((x) => x.id)) ?? dup(c.matters.map((x) => x.id)) ?? dup(c.offices.map((x) => x.id));
  if (d) return `id ${d} appears twice`;
  const cats = new Set(c.categories.map((x) => x.id));
  const offices = new Set(c.offices.map((x) => x.id));
  for (const m of c.matters) {
    if (!cats.has(m.categoryId)) return `matter ${m.id} names unknown category ${m.categoryId}`;
    if (m.officeId && !offices.has(m.officeId)) return `matter ${m.id} names unknown office ${m.officeId}`;
  }
  return undefined;
}
