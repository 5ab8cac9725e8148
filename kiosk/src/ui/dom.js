// Tiny DOM helpers: the UI is plain ES modules without a framework, so screens build their nodes with h().
import { icon } from './icons.js';

/** h('p', {class: 'x', onclick: fn}, 'text', child) → element. `null`/`false` children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Number.POSITIVE_INFINITY)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/**
 * A big touch button: an icon and words (never colour alone). `kind` is 'primary' | 'secondary' | 'danger'.
 * The action runs on a single click (tap); a double tap is never needed.
 */
export function button(label, onTap, { kind = 'secondary', iconName, id, cls = '', disabled, testid } = {}) {
  return h(
    'button',
    {
      type: 'button',
      class: `btn btn-${kind} ${cls}`.trim(),
      id,
      disabled,
      'data-testid': testid,
      onclick: (ev) => {
        ev.preventDefault();
        onTap(ev);
      },
    },
    iconName ? icon(iconName) : null,
    h('span', { class: 'btn-label' }, label),
  );
}

/** A definition list of [label, value] rows; rows with an empty value are left out. */
export function facts(rows) {
  return h(
    'dl',
    { class: 'facts' },
    rows
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v))),
  );
}

/** A status panel: icon + title (+ text). `tone` only adds a border style; the icon and words carry meaning. */
export function panel(tone, iconName, title, ...body) {
  return h(
    'section',
    { class: `panel panel-${tone}`, role: tone === 'error' ? 'alert' : 'status' },
    h('div', { class: 'panel-head' }, icon(iconName), h('h2', { class: 'panel-title' }, title)),
    ...body,
  );
}

/** Replace an element's children (arrays flattened, null/false skipped: replaceChildren would print "null"). */
export function put(el, ...children) {
  el.replaceChildren(
    ...children.flat(Number.POSITIVE_INFINITY).filter((c) => c !== null && c !== undefined && c !== false),
  );
}
