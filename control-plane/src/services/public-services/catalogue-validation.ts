import { ErrorCode, LinliError } from '../../../../protocol/errors.js';
import type { I18nText } from '../../../../protocol/schemas/common.js';
import type { Material, SlotRules } from '../../../../protocol/schemas/services.js';
import type { MatterInput, OfficeInput } from '../../../../protocol/schemas/services-admin.js';
import { isValidTimezone } from '../hierarchy.js';
import { pinyinInitials } from './initials.js';
import { minutesOf, parseDate } from './slot-calendar.js';

/**
 * What the JSON schema cannot say about a matter or an office: texts that are blank after trimming, windows
 * that end before they start or overlap, dates that do not exist. Each refusal names the field (as a JSON
 * pointer under body/, like schema errors do) and says what to send instead.
 */

const bad = (field: string, message: string) =>
  new LinliError(ErrorCode.BAD_REQUEST, `body/${field} ${message}`, { field: `body/${field}` });

function text(value: I18nText, field: string): I18nText {
  const zh = value.zh.trim();
  const en = value.en?.trim();
  if (zh.length === 0) throw bad(`${field}/zh`, 'is blank; write the Chinese text');
  if (value.en !== undefined && !en) throw bad(`${field}/en`, 'is blank; write the English text or omit it');
  return en ? { zh, en } : { zh };
}

function materials(list: readonly Material[]): Material[] {
  const seen = new Set<string>();
  return list.map((m, i) => {
    const name = text(m.name, `materials/${i}/name`);
    if (seen.has(name.zh))
      throw bad(`materials/${i}/name`, `lists "${name.zh}" twice; merge the two entries`);
    seen.add(name.zh);
    return {
      name,
      copies: m.copies,
      original: m.original,
      ...(m.note ? { note: text(m.note, `materials/${i}/note`) } : {}),
    };
  });
}

export type NormalisedMatter = Omit<MatterInput, 'nodeId'> & { initials: string };

export function normaliseMatter(input: MatterInput): NormalisedMatter {
  const name = text(input.name, 'name');
  const initials = pinyinInitials(name.zh);
  if (initials.length === 0) {
    throw bad('name/zh', 'has no Chinese characters, letters or digits to search by; write the matter name');
  }
  return {
    categoryId: input.categoryId,
    name,
    initials,
    legalBasis: text(input.legalBasis, 'legalBasis'),
    covers: text(input.covers, 'covers'),
    materials: materials(input.materials),
    steps: input.steps.map((s, i) => text(s, `steps/${i}`)),
    timeLimit: text(input.timeLimit, 'timeLimit'),
    fee: text(input.fee, 'fee'),
    bookable: input.bookable,
    order: input.order,
    ...(input.officeId ? { officeId: input.officeId } : {}),
  };
}

export function normaliseSlots(s: SlotRules): SlotRules {
  const windows = s.windows
    .map((w, i) => {
      const start = minutesOf(w.start);
      const end = minutesOf(w.end);
      if (end <= start) {
        throw bad(
          `slots/windows/${i}/end`,
          `(${w.end}) must be after start (${w.start}); a window never crosses midnight`,
        );
      }
      if (end - start < s.slotMinutes) {
        throw bad(
          `slots/windows/${i}`,
          `(${w.start}–${w.end}) is shorter than one ${s.slotMinutes}-minute slot`,
        );
      }
      return { ...w, i, startMin: start, endMin: end };
    })
    .sort((a, b) => a.startMin - b.startMin);
  for (let k = 1; k < windows.length; k++) {
    const prev = windows[k - 1]!;
    const cur = windows[k]!;
    if (cur.startMin < prev.endMin) {
      throw bad(
        `slots/windows/${cur.i}`,
        `(${cur.start}–${cur.end}) overlaps ${prev.start}–${prev.end}; make the windows separate`,
      );
    }
  }
  const closed = s.closedDates.map((d, i) => {
    if (!parseDate(d)) throw bad(`slots/closedDates/${i}`, `("${d}") is not a calendar day; use YYYY-MM-DD`);
    return d;
  });
  return {
    weekdays: [...s.weekdays].sort((a, b) => a - b),
    windows: windows.map((w) => ({ start: w.start, end: w.end })),
    slotMinutes: s.slotMinutes,
    capacityPerSlot: s.capacityPerSlot,
    daysAhead: s.daysAhead,
    closedDates: [...new Set(closed)].sort(),
  };
}

export type NormalisedOffice = Omit<OfficeInput, 'nodeId'>;

export function normaliseOffice(input: OfficeInput): NormalisedOffice {
  if (!isValidTimezone(input.timezone)) {
    throw bad('timezone', `("${input.timezone}") is not an IANA zone such as Asia/Shanghai`);
  }
  return {
    name: text(input.name, 'name'),
    address: text(input.address, 'address'),
    hours: text(input.hours, 'hours'),
    phone: input.phone.trim(),
    timezone: input.timezone,
    slots: normaliseSlots(input.slots),
  };
}
