// Parts of the notice composer (notice-composer.js): the target tree, daily-window rows, image upload and
// the error list.
import { ApiError, session } from './api.js';
import { bi, el } from './dom.js';

export const field = (id, zh, en, input, hint) =>
  el(
    'div',
    { class: 'field' },
    el('label', { for: id }, ...bi(zh, en)),
    input,
    hint ? el('p', { class: 'hint', id: `${id}-hint` }, ...hint) : null,
  );

/** The node picker: the admin's subtree as nested checkboxes (the API lists only nodes in scope). */
export function targetTree(nodes) {
  const ids = new Set(nodes.map((n) => n.id));
  const kids = new Map();
  for (const n of nodes) {
    const parent = ids.has(n.parentId) ? n.parentId : null;
    kids.set(parent, [...(kids.get(parent) ?? []), n]);
  }
  const branch = (parent) => {
    const list = kids.get(parent);
    if (!list) return null;
    return el(
      'ul',
      {},
      list.map((n) =>
        el(
          'li',
          {},
          el(
            'label',
            { class: 'check' },
            el('input', {
              type: 'checkbox',
              name: 'n-target',
              value: n.id,
              'data-zone': n.timezone,
              'aria-label': n.path.join(' › '),
            }),
            ` ${n.name} `,
            el('span', { class: 'muted' }, `(${n.level})`),
          ),
          branch(n.id),
        ),
      ),
    );
  };
  return el(
    'fieldset',
    { class: 'targets', id: 'n-targets', 'aria-describedby': 'n-targets-hint' },
    el('legend', {}, ...bi('发布范围（可多选）', 'Publish to (one or more)')),
    el(
      'p',
      { class: 'hint', id: 'n-targets-hint' },
      ...bi('所选节点及其下属的全部设备。', 'Every device at or below the chosen nodes.'),
    ),
    el('div', { class: 'tree' }, branch(null)),
  );
}

export function windowRow(list) {
  const n = list.children.length + 1;
  const row = el(
    'div',
    { class: 'inline window' },
    el('label', { for: `n-win-from-${n}` }, ...bi('从', 'From')),
    el('input', { type: 'time', id: `n-win-from-${n}`, class: 'win-from', required: true }),
    el('label', { for: `n-win-to-${n}` }, ...bi('到', 'To')),
    el('input', { type: 'time', id: `n-win-to-${n}`, class: 'win-to', required: true }),
    el(
      'button',
      { type: 'button', class: 'secondary', onclick: () => row.remove() },
      ...bi('删除时段', 'Remove'),
    ),
  );
  list.append(row);
}

/** Images go up to the media route as they are chosen; the draft refers to them by SHA-256. */
export async function uploadImage(file) {
  const s = session();
  const res = await fetch('/api/v1/admin/media', {
    method: 'POST',
    headers: { authorization: `Bearer ${s?.token ?? ''}`, 'content-type': file.type },
    body: file,
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    throw new ApiError(res.status, json?.error?.code ?? 'LINLI_ERR_INTERNAL', json?.error?.message ?? '');
  }
  return json;
}

export function imageItem(media, name) {
  const n = media.mediaId.slice(0, 8);
  const item = el(
    'li',
    { class: 'image', 'data-media-id': media.mediaId },
    el(
      'p',
      {},
      media.width ? `${name} · ${media.width}×${media.height} · ${Math.round(media.length / 1024)} KB` : name,
    ),
    el('label', { for: `n-alt-zh-${n}` }, ...bi('图片说明（中文）', 'Description (Chinese)')),
    el('input', { id: `n-alt-zh-${n}`, class: 'alt-zh', maxlength: 200 }),
    el('label', { for: `n-alt-en-${n}` }, ...bi('图片说明（英文）', 'Description (English)')),
    el('input', { id: `n-alt-en-${n}`, class: 'alt-en', maxlength: 200, lang: 'en' }),
    el(
      'button',
      { type: 'button', class: 'secondary', onclick: () => item.remove() },
      ...bi('移除图片', 'Remove image'),
    ),
  );
  return item;
}

/** Field problems as a list at the top of the form, each field marked; true when there were any. */
export function showErrors(form, box, problems) {
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
  if (problems.length === 0) {
    box.hidden = true;
    return false;
  }
  box.replaceChildren(
    el('p', {}, el('strong', {}, ...bi('请修改以下内容：', 'Please correct:'))),
    el(
      'ul',
      {},
      problems.map(([id, msg]) => {
        form.querySelector(`#${id}`)?.setAttribute('aria-invalid', 'true');
        return el('li', {}, el('a', { href: `#${id}`, 'data-field': id }, msg));
      }),
    ),
  );
  box.hidden = false;
  box.querySelector('a')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    form.querySelector(`#${ev.target.dataset.field}`)?.focus();
  });
  return true;
}

/** The API's refusal, with its code, beside the form (the flash is at the top of a long page). */
export function showServerError(box, err) {
  box.replaceChildren(
    el(
      'p',
      {},
      el('strong', {}, ...bi('服务器拒绝：', 'The server refused:')),
      ' ',
      err.message ?? String(err),
      ' ',
      err.code ? el('code', {}, err.code) : null,
    ),
  );
  box.hidden = false;
}
