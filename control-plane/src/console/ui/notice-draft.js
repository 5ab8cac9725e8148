// Reads the composer form into the API's NoticeDraftInput, checking the bounds the API checks (NOTICE_LIMITS and
// normaliseContent in control-plane/src/services/notices/notice-content.ts), so most mistakes are caught here
// with the field named; the API still decides.
import { NOTICE_LIMITS as L } from './notice-limits.js';
import { wallToIso } from './wall-time.js';

const TAG = /^[a-z0-9][a-z0-9-]{0,31}$/;
const DAY = 86_400_000;

/** { draft, problems: [[fieldId, message]] } for the form, times read on the clock of `timeZone`. */
export function readDraft(f, timeZone) {
  const problems = [];
  const bad = (id, zh, en) => problems.push([id, `${zh} ${en}`]);
  const v = (id) => f.querySelector(`#${id}`).value.trim();
  const text = (zhId, enId, max, zh, en) => {
    const t = { zh: v(zhId) };
    if (!t.zh) bad(zhId, `请填写中文${zh}`, `Enter the Chinese ${en}`);
    if (t.zh.length > max) bad(zhId, `中文${zh}超过 ${max} 字`, `Chinese ${en} is over ${max} characters`);
    const e = v(enId);
    if (e) t.en = e;
    if (e.length > max) bad(enId, `英文${zh}超过 ${max} 字`, `English ${en} is over ${max} characters`);
    return t;
  };
  const title = text('n-title', 'n-title-en', 120, '标题', 'title');
  const body = text('n-body', 'n-body-en', 4000, '正文', 'body');

  const nodeIds = [...f.querySelectorAll('input[name=n-target]:checked')].map((i) => i.value);
  if (nodeIds.length === 0)
    bad('n-targets', '请至少选择一个发布范围', 'Choose at least one node to publish to');
  if (nodeIds.length > L.targetsMax)
    bad('n-targets', `最多 ${L.targetsMax} 个范围`, `At most ${L.targetsMax} nodes`);
  const tags = [
    ...new Set(
      v('n-tags')
        .split(/[\s,，]+/)
        .filter(Boolean),
    ),
  ];
  for (const t of tags)
    if (!TAG.test(t)) bad('n-tags', `标签“${t}”不合格式`, `Tag "${t}" must be a-z, 0-9, - (≤ 32)`);
  if (tags.length > 16) bad('n-tags', '最多 16 个标签', 'At most 16 tags');
  const roles = [...f.querySelectorAll('input[name=n-role]:checked')].map((i) => i.value);

  const int = (id, min, max, zh, en) => {
    const n = Number(v(id));
    if (!Number.isInteger(n) || n < min || n > max)
      bad(id, `${zh}须为 ${min}–${max} 的整数`, `${en} must be a whole number ${min}–${max}`);
    return n;
  };
  const priority = f.querySelector('#n-priority').value;
  const displaySec = int('n-display', L.displaySecMin, L.displaySecMax, '显示时间', 'Display time');
  const emergencyTtlSec =
    priority === 'emergency'
      ? int('n-ttl', L.emergencyTtlSecMin, L.emergencyTtlSecMax, '紧急持续时间', 'Emergency duration')
      : undefined;

  const when = (id) => (v(id) ? wallToIso(v(id), timeZone) : undefined);
  const now = Date.now();
  const start = when('n-start');
  const end = when('n-end');
  const expiresAt = when('n-expires');
  const startMs = start ? Date.parse(start) : now;
  if (start && startMs > now + L.lifetimeDaysMax * DAY)
    bad(
      'n-start',
      `开始时间不能超过 ${L.lifetimeDaysMax} 天后`,
      `Start is more than ${L.lifetimeDaysMax} days away`,
    );
  if (end && Date.parse(end) <= startMs) bad('n-end', '停止时间须晚于开始', 'Stop must be after the start');
  if (expiresAt) {
    const e = Date.parse(expiresAt);
    if (e <= startMs) bad('n-expires', '过期时间须晚于开始', 'Expiry must be after the start');
    else if (e <= now) bad('n-expires', '过期时间已过', 'Expiry is in the past');
    else if (e - startMs > L.lifetimeDaysMax * DAY)
      bad('n-expires', `通知最长 ${L.lifetimeDaysMax} 天`, `A notice runs at most ${L.lifetimeDaysMax} days`);
    if (end && Date.parse(end) > e) bad('n-end', '停止时间晚于过期时间', 'Stop is after the expiry');
  }

  const weekdays = [...f.querySelectorAll('input[name=n-weekday]:checked')].map((i) => Number(i.value));
  const windows = [...f.querySelectorAll('#n-windows .window')].map((row) => {
    const from = row.querySelector('.win-from');
    const to = row.querySelector('.win-to');
    if (!/^\d{2}:\d{2}$/.test(from.value)) bad(from.id, '请填写时段开始', 'Enter when the window starts');
    if (!/^\d{2}:\d{2}$/.test(to.value)) bad(to.id, '请填写时段结束', 'Enter when the window ends');
    else if (from.value === to.value)
      bad(to.id, '时段的开始和结束不能相同', 'A window needs different from and to times');
    return { from: from.value, to: to.value };
  });
  if (windows.length > L.windowsMax)
    bad('n-add-window', `最多 ${L.windowsMax} 个时段`, `At most ${L.windowsMax} windows`);

  const images = [...f.querySelectorAll('#n-images .image')].map((li) => {
    const alt = {};
    const zh = li.querySelector('.alt-zh').value.trim();
    const en = li.querySelector('.alt-en').value.trim();
    if (zh) alt.zh = zh;
    if (en && !zh)
      bad(li.querySelector('.alt-zh').id, '有英文说明时请填写中文说明', 'Add the Chinese description too');
    if (en) alt.en = en;
    return { mediaId: li.dataset.mediaId, ...(alt.zh ? { alt } : {}) };
  });

  const schedule = {
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    ...(windows.length ? { windows } : {}),
    ...(weekdays.length ? { weekdays } : {}),
  };
  const draft = {
    title,
    body,
    category: f.querySelector('#n-category').value,
    priority,
    targets: { nodeIds, ...(tags.length ? { tags } : {}), ...(roles.length ? { roles } : {}) },
    ...(Object.keys(schedule).length ? { schedule } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(images.length ? { images } : {}),
    displaySec,
    ...(emergencyTtlSec !== undefined ? { emergencyTtlSec } : {}),
  };
  return { draft, problems };
}
