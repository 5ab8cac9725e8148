// The notice composer: zh (required) and en texts, target nodes from the admin's subtree, tags and roles, a
// schedule read on the community's clock, expiry, images, display time and the emergency TTL. It checks the
// API's own bounds before sending (notice-limits.js is generated from protocol/schemas/notice.ts) and shows
// the API's refusals with their code. Which fields exist is NoticeDraftInput (protocol/schemas/notice-admin.ts).
import { post } from './api.js';
import { bi, el } from './dom.js';
import {
  field,
  imageItem,
  showErrors,
  showServerError,
  targetTree,
  uploadImage,
  windowRow,
} from './notice-composer-parts.js';
import { readDraft } from './notice-draft.js';
import { fillComposer, saveEdit } from './notice-edit.js';
import { NOTICE_LIMITS as L, TICKER_MAX_BODY } from './notice-limits.js';
import { previewPanel } from './notice-preview.js';

export const CATEGORY = {
  general: '综合 general',
  utility: '水电气 utility',
  safety: '安全 safety',
  event: '活动 event',
  civic: '文明 civic',
  election: '选举 election',
};
export const PRIORITY = {
  normal: '普通 normal',
  important: '重要 important',
  emergency: '紧急 emergency',
};
const ROLES = { kiosk: '自助终端 kiosk', lobby: '大堂屏 lobby screen', led: 'LED 屏 LED sign' };
const WEEKDAYS = ['一 Mon', '二 Tue', '三 Wed', '四 Thu', '五 Fri', '六 Sat', '日 Sun'];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/**
 * The composer form, with its previews; a save refreshes the view (ctx.refresh). `edit(notice)` on the result
 * loads a notice's latest revision into it, and the next save is that notice's edit.
 */
export function composeForm(nodes, zones, ctx) {
  const isAdmin = ctx.session.admin.role === 'admin';
  const errors = el('div', { id: 'n-errors', class: 'errors', role: 'alert', hidden: true });
  /** The notice being edited ({ id, revision }), or undefined for a new one. */
  let editing;
  const banner = el('p', { id: 'n-editing', class: 'editing', hidden: true });
  const windows = el('div', { id: 'n-windows' });
  const images = el('ul', { id: 'n-images', class: 'images' });
  const zoneNote = el('p', { class: 'hint', id: 'n-zone' });
  const ttl = field(
    'n-ttl',
    '紧急通知持续（秒）',
    'Emergency lasts (seconds)',
    el('input', {
      id: 'n-ttl',
      type: 'number',
      min: L.emergencyTtlSecMin,
      max: L.emergencyTtlSecMax,
      step: 1,
      value: L.emergencyTtlSecDefault,
      'aria-describedby': 'n-ttl-hint',
    }),
    bi(
      `${L.emergencyTtlSecMin}–${L.emergencyTtlSecMax} 秒：紧急通知立即覆盖目标屏幕，到时未续期自动撤下。`,
      `${L.emergencyTtlSecMin}–${L.emergencyTtlSecMax} s: an emergency takes over the screens at once and lapses after this unless renewed.`,
    ),
  );
  const f = el(
    'form',
    { id: 'notice-form', class: 'stack composer', novalidate: true },
    banner,
    errors,
    el(
      'fieldset',
      {},
      el('legend', {}, ...bi('内容', 'Content')),
      field(
        'n-title',
        '标题（中文，必填）',
        'Title (Chinese, required)',
        el('input', { id: 'n-title', required: true, maxlength: 120, lang: 'zh' }),
      ),
      field(
        'n-title-en',
        '标题（英文，可选）',
        'Title (English, optional)',
        el('input', { id: 'n-title-en', maxlength: 120, lang: 'en' }),
      ),
      field(
        'n-body',
        '正文（中文，必填）',
        'Body (Chinese, required)',
        el('textarea', { id: 'n-body', required: true, maxlength: 4000, rows: 4, lang: 'zh' }),
      ),
      field(
        'n-body-en',
        '正文（英文，可选）',
        'Body (English, optional)',
        el('textarea', { id: 'n-body-en', maxlength: 4000, rows: 3, lang: 'en' }),
      ),
      el(
        'div',
        { class: 'inline' },
        field(
          'n-category',
          '类别',
          'Category',
          el(
            'select',
            { id: 'n-category' },
            Object.entries(CATEGORY).map(([v, t]) => el('option', { value: v }, t)),
          ),
        ),
        field(
          'n-priority',
          '优先级',
          'Priority',
          el(
            'select',
            { id: 'n-priority' },
            Object.entries(PRIORITY).map(([v, t]) => el('option', { value: v }, t)),
          ),
        ),
        field(
          'n-display',
          '每次显示（秒）',
          'Shown per turn (s)',
          el('input', {
            id: 'n-display',
            type: 'number',
            min: L.displaySecMin,
            max: L.displaySecMax,
            step: 1,
            value: L.displaySecDefault,
          }),
        ),
      ),
      el(
        'p',
        { class: 'hint' },
        ...bi(
          `大堂屏：普通通知正文不超过 ${TICKER_MAX_BODY} 字且没有图片时，显示在底部滚动简讯栏，否则单独成页轮播；紧急通知覆盖全屏。`,
          `Lobby screens: a normal notice with a body of at most ${TICKER_MAX_BODY} characters and no image runs in the ticker at the bottom, others get a slide of their own; an emergency takes over the screen.`,
        ),
      ),
      ttl,
    ),
    targetTree(nodes),
    el(
      'fieldset',
      {},
      el('legend', {}, ...bi('设备筛选（可选）', 'Narrow to (optional)')),
      field(
        'n-tags',
        '标签（空格或逗号分隔）',
        'Tags (space or comma separated)',
        el('input', { id: 'n-tags', 'aria-describedby': 'n-tags-hint', lang: 'en' }),
        bi(
          '小写字母、数字和连字符，例如 lobby-east；最多 16 个。',
          'a-z, 0-9 and -, e.g. lobby-east; at most 16.',
        ),
      ),
      el(
        'div',
        { class: 'inline', role: 'group', 'aria-label': '设备类型 Device roles' },
        el('span', { class: 'group-label' }, ...bi('设备类型（不选即全部）', 'Roles (none = all)')),
        Object.entries(ROLES).map(([v, t]) =>
          el(
            'label',
            { class: 'check' },
            el('input', { type: 'checkbox', name: 'n-role', value: v }),
            ` ${t}`,
          ),
        ),
      ),
    ),
    el(
      'fieldset',
      {},
      el('legend', {}, ...bi('播放时间', 'When it plays')),
      zoneNote,
      el(
        'div',
        { class: 'inline' },
        field(
          'n-start',
          '开始（空 = 立即）',
          'Start (empty = now)',
          el('input', { id: 'n-start', type: 'datetime-local' }),
        ),
        field(
          'n-end',
          '停止播放（可选）',
          'Stop playing (optional)',
          el('input', { id: 'n-end', type: 'datetime-local' }),
        ),
        field(
          'n-expires',
          '过期（空 = 开始后 14 天）',
          `Expires (empty = ${L.lifetimeDaysDefault} days after start)`,
          el('input', { id: 'n-expires', type: 'datetime-local' }),
        ),
      ),
      el(
        'div',
        { class: 'inline', role: 'group', 'aria-label': '星期 Weekdays' },
        el('span', { class: 'group-label' }, ...bi('星期（不选即每天）', 'Weekdays (none = every day)')),
        WEEKDAYS.map((t, i) =>
          el(
            'label',
            { class: 'check' },
            el('input', { type: 'checkbox', name: 'n-weekday', value: i + 1 }),
            ` 周${t.split(' ')[0]} `,
            el('span', { lang: 'en' }, t.split(' ')[1]),
          ),
        ),
      ),
      el('p', { class: 'group-label' }, ...bi('每日时段（不加即全天）', 'Daily windows (none = all day)')),
      windows,
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'n-add-window',
          onclick: () => {
            if (windows.children.length < L.windowsMax) windowRow(windows);
          },
        },
        ...bi(`添加时段（最多 ${L.windowsMax} 个）`, `Add a window (at most ${L.windowsMax})`),
      ),
    ),
    el(
      'fieldset',
      {},
      el('legend', {}, ...bi('图片（可选）', 'Images (optional)')),
      field(
        'n-image',
        '上传图片',
        'Upload an image',
        el('input', {
          id: 'n-image',
          type: 'file',
          accept: IMAGE_TYPES.join(','),
          'aria-describedby': 'n-image-hint',
        }),
        bi(
          `PNG、JPEG 或 WebP，每张不超过 ${L.imageBytesMax / 1024 / 1024} MB，最多 ${L.imagesMax} 张；大堂屏显示第一张。`,
          `PNG, JPEG or WebP, at most ${L.imageBytesMax / 1024 / 1024} MB each, ${L.imagesMax} in all; lobby screens show the first.`,
        ),
      ),
      images,
    ),
    el(
      'fieldset',
      {},
      el('legend', {}, ...bi('保存后', 'After saving')),
      el(
        'label',
        { class: 'check' },
        el('input', { type: 'radio', name: 'n-then', value: 'draft', checked: !isAdmin }),
        ...bi(' 保存为草稿', 'Keep as a draft'),
      ),
      el(
        'label',
        { class: 'check' },
        el('input', { type: 'radio', name: 'n-then', value: 'submit' }),
        ...bi(' 提交审核', 'Submit for approval'),
      ),
      isAdmin
        ? el(
            'label',
            { class: 'check' },
            el('input', { type: 'radio', name: 'n-then', value: 'publish', checked: true }),
            ...bi(' 直接发布（管理员）', 'Publish now (admins)'),
          )
        : el(
            'p',
            { class: 'hint' },
            ...bi(
              '工作人员起草，由社区或以上管理员审核发布。',
              'Staff draft; a community-or-higher admin approves.',
            ),
          ),
    ),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', id: 'n-preview' }, ...bi('预览', 'Preview')),
      el('button', { type: 'submit', class: 'primary' }, ...bi('保存', 'Save')),
    ),
  );
  const preview = previewPanel();

  // The zone the times are typed in: the first chosen target's community (the admin's own before any is chosen).
  const zone = () => f.querySelector('input[name=n-target]:checked')?.dataset.zone ?? zones.home;
  const showZone = () => {
    const all = [
      ...new Set([...f.querySelectorAll('input[name=n-target]:checked')].map((i) => i.dataset.zone)),
    ];
    zoneNote.replaceChildren(
      ...bi(
        `时间按 ${zone()} 时间填写；每日时段和星期按各屏幕所在社区的时间播放${all.length > 1 ? `（所选范围含 ${all.join('、')}）` : ''}。`,
        `Times are read on the ${zone()} clock; daily windows and weekdays play on each screen's community clock${all.length > 1 ? ` (the targets span ${all.join(', ')})` : ''}.`,
      ),
    );
  };
  const showTtl = () => {
    ttl.hidden = f.querySelector('#n-priority').value !== 'emergency';
  };
  f.addEventListener('change', (ev) => {
    if (ev.target.name === 'n-target') showZone();
    if (ev.target.id === 'n-priority') showTtl();
  });
  showZone();
  showTtl();

  f.querySelector('#n-image').addEventListener('change', async (ev) => {
    const input = ev.target;
    const file = input.files?.[0];
    if (!file) return;
    const problems = [];
    if (!IMAGE_TYPES.includes(file.type))
      problems.push(['n-image', `只能上传 PNG、JPEG、WebP Only PNG, JPEG or WebP (${file.type || '?'})`]);
    if (file.size > L.imageBytesMax)
      problems.push(['n-image', `图片过大 Image too large: ${file.size} > ${L.imageBytesMax} bytes`]);
    if (images.children.length >= L.imagesMax)
      problems.push(['n-image', `最多 ${L.imagesMax} 张 At most ${L.imagesMax} images`]);
    if (showErrors(f, errors, problems)) return;
    try {
      const media = await uploadImage(file);
      images.append(imageItem(media, file.name));
      input.value = '';
      ctx.flash(`已上传 Uploaded ${file.name}`);
    } catch (err) {
      showServerError(errors, err);
      ctx.flashError(err);
    }
  });

  const draftOrErrors = () => {
    const { draft, problems } = readDraft(f, zone());
    return showErrors(f, errors, problems) ? undefined : draft;
  };
  f.querySelector('#n-preview').addEventListener('click', async () => {
    const draft = draftOrErrors();
    if (draft) await preview.show(draft, ctx, (err) => showServerError(errors, err));
  });
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const draft = draftOrErrors();
    if (!draft) return;
    const then = f.querySelector('input[name=n-then]:checked')?.value ?? 'draft';
    try {
      let r;
      if (editing) r = await saveEdit(editing, draft, then);
      else {
        r = await post('/api/v1/admin/notices', {
          ...draft,
          ...(then === 'publish' ? { publish: true } : {}),
        });
        if (then === 'submit') r = await post(`/api/v1/admin/notices/${r.notice.id}/submit`, {});
      }
      ctx.flash(
        `已保存 Saved: ${r.notice.status}，${r.notifiedDevices}/${r.targetedDevices} 台设备已通知 devices told`,
      );
      await ctx.refresh();
    } catch (err) {
      showServerError(errors, err);
      ctx.flashError(err);
    }
  });
  const element = el('div', { class: 'compose' }, f, preview.element);
  const edit = (n) => {
    editing = { id: n.id, revision: n.revision };
    fillComposer(f, n, zones.of);
    banner.replaceChildren(
      ...bi(`正在编辑：${n.content.title.zh}（第 ${n.revision} 版）`, `Editing revision ${n.revision}`),
      ' ',
      el(
        'button',
        { type: 'button', class: 'secondary', onclick: () => ctx.refresh() },
        ...bi('取消编辑', 'Cancel'),
      ),
    );
    banner.hidden = false;
    f.querySelector('#n-title').focus();
  };
  return { element, edit };
}
