// Remote device settings (issue 12), shared by the node configuration view and the device page: one table
// row per setting with its label, the value set here, what it inherits and from where, and (for admins) an
// editor built from the setting's JSON Schema (bounds, choices) with "set" and "clear". The API validates
// every value again; its coded refusal is shown as is.
import { badge, bi, el } from './dom.js';

export const LEVEL = {
  city: ['市', 'City'],
  district: ['区', 'District'],
  street: ['街道', 'Street'],
  community: ['社区', 'Community'],
};

/** Words for the values of choice settings (anything else is shown as sent). */
const CHOICE = {
  zh: '中文',
  en: 'English',
  terminal: '银行卡终端 Card terminal',
  qr: '扫码 QR',
  landscape: '横屏 Landscape',
  portrait: '竖屏 Portrait',
  'landscape-flipped': '横屏倒置 Landscape flipped',
  'portrait-flipped': '竖屏倒置 Portrait flipped',
  'cn-80mm': '国产 80 mm',
  'epson-tm-t88': 'Epson TM-T88',
};

const APPLY = {
  live: ['ok', '立即生效 live'],
  'between-sessions': ['info', '无人使用时生效 between residents'],
};

const choices = (schema) =>
  Array.isArray(schema.anyOf) && schema.anyOf.every((o) => 'const' in o)
    ? schema.anyOf.map((o) => o.const)
    : null;

/** Where a value comes from, in words: the default, this device, or a node with its level and name. */
export function sourceText(source) {
  if (source.kind === 'default') return bi('默认值', 'default');
  if (source.kind === 'device') return bi('本设备', 'this device');
  const [zh, en] = LEVEL[source.level] ?? [source.level, source.level];
  return [zh, ' ', el('span', { lang: 'en' }, en), ' · ', el('strong', {}, source.name)];
}

/** A value for reading. */
export function valueText(value) {
  if (value === undefined) return '—';
  if (typeof value === 'boolean') return value ? '开 On' : '关 Off';
  if (Array.isArray(value)) {
    if (value.length === 0) return '（无）(none)';
    return value
      .map((v) => (typeof v === 'object' && v ? `${v.from} → ${v.level}` : (CHOICE[v] ?? String(v))))
      .join('；');
  }
  if (typeof value === 'string') return CHOICE[value] ?? value;
  return String(value);
}

/** What the setting accepts, shown beside its editor. */
function boundsText(schema) {
  if (schema.type === 'integer') return `${schema.minimum}–${schema.maximum}`;
  if (schema.type === 'array' && schema.items?.type === 'string')
    return `每行一条，最多 ${schema.maxItems} 行、每行 ${schema.items.maxLength} 字 · one per line, ≤ ${schema.maxItems}`;
  if (schema.type === 'array' && schema.items?.type === 'object')
    return '每行“时:分 亮度(1–16)”，如 19:00 8 · one "HH:MM level" per line';
  return '';
}

/**
 * An input for one setting: `{ node, read() }`; read() turns the input into the value to send (the API
 * checks the bounds; here only the shape is built, e.g. lines into a list).
 */
export function editorFor(id, label, schema, value) {
  const opts = choices(schema);
  if (schema.type === 'boolean' || opts) {
    const list = opts ?? [true, false];
    const sel = el(
      'select',
      { id, 'aria-label': label },
      list.map((o, i) => el('option', { value: String(i), selected: o === value }, valueText(o))),
    );
    return { node: sel, read: () => list[Number(sel.value)] };
  }
  const itemChoices = schema.type === 'array' ? choices(schema.items ?? {}) : null;
  if (itemChoices) {
    const boxes = itemChoices.map((o, i) => {
      const box = el('input', { type: 'checkbox', id: `${id}-${i}`, checked: (value ?? []).includes(o) });
      return { o, box, node: el('label', { class: 'check', for: `${id}-${i}` }, box, valueText(o)) };
    });
    const group = el(
      'fieldset',
      { id, class: 'choices' },
      el('legend', {}, label),
      boxes.map((b) => b.node),
    );
    return { node: group, read: () => boxes.filter((b) => b.box.checked).map((b) => b.o) };
  }
  if (schema.type === 'array') {
    const objects = schema.items?.type === 'object';
    const text = (value ?? []).map((v) => (objects ? `${v.from} ${v.level}` : v)).join('\n');
    const area = el('textarea', { id, 'aria-label': label, rows: 3 }, text);
    const read = () => {
      const lines = area.value
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      if (!objects) return lines;
      return lines.map((line, i) => {
        const m = /^(\d{1,2}:\d{2})\s+(\d{1,2})$/.exec(line);
        if (!m) throw new Error(`第 ${i + 1} 行应为“时:分 亮度” Line ${i + 1}: HH:MM level`);
        return { from: m[1].padStart(5, '0'), level: Number(m[2]) };
      });
    };
    return { node: area, read };
  }
  const input = el('input', {
    id,
    type: 'number',
    'aria-label': label,
    min: schema.minimum,
    max: schema.maximum,
    step: 1,
    value: value ?? '',
    required: true,
  });
  const read = () => {
    const n = Number(input.value);
    if (input.value.trim() === '' || !Number.isInteger(n)) throw new Error('请输入整数 Enter a whole number');
    return n;
  };
  return { node: input, read };
}

/**
 * The settings table. `rows` are the API's setting views; with `put(patch)` each row gets an editor, set
 * and clear (clear only where a value is set here); `onInvalid(err)` hears input that cannot be sent. `effective` adds the device's effective value and what
 * it reported.
 */
export function settingsTable(caption, rows, { put, onInvalid, prefix, effective = false }) {
  const headers = [
    bi('设置', 'Setting'),
    bi('此处设置', 'Set here'),
    effective ? bi('生效值（来源）', 'Effective (source)') : bi('继承值（来源）', 'Inherited (source)'),
    ...(effective ? [bi('设备上报', 'Reported')] : []),
    ...(put ? [bi('修改', 'Change')] : []),
  ];
  const body = rows.map((s) => {
    const id = `${prefix}-${s.key.replace(/\./g, '-')}`;
    const shown = effective ? s.effective : s.inherited;
    const [kind, words] = APPLY[s.apply];
    const cells = [
      el(
        'th',
        { scope: 'row' },
        el('span', { class: 'setting-name' }, s.label.zh),
        el('br'),
        el('span', { lang: 'en' }, s.label.en),
        el('br'),
        el('code', {}, s.key),
        ' ',
        badge(kind, words),
      ),
      el(
        'td',
        {},
        s.here
          ? [el('strong', {}, valueText(s.here.value))]
          : el('span', { class: 'muted' }, '未设置 not set'),
      ),
      el(
        'td',
        {},
        valueText(shown.value),
        el('br'),
        el('span', { class: 'muted' }, sourceText(shown.source)),
      ),
    ];
    if (effective) {
      const same = JSON.stringify(s.reported) === JSON.stringify(s.effective.value);
      cells.push(
        el(
          'td',
          {},
          s.reported === undefined
            ? el('span', { class: 'muted' }, '—')
            : [valueText(s.reported), ' ', same ? badge('ok', '一致 same') : badge('warn', '不同 differs')],
        ),
      );
    }
    if (put) {
      const label = `${s.label.zh} ${s.label.en}`;
      const editor = editorFor(id, `新值 New value: ${label}`, s.schema, s.here?.value ?? shown.value);
      const bounds = boundsText(s.schema);
      const set = el('button', { type: 'submit', 'aria-label': `设置 Set ${label}` }, ...bi('设置', 'Set'));
      const clear = el(
        'button',
        { type: 'button', class: 'secondary', disabled: !s.here, 'aria-label': `清除 Clear ${label}` },
        ...bi('清除', 'Clear'),
      );
      const form = el(
        'form',
        { class: 'setting-form', id: `${id}-form` },
        editor.node,
        bounds ? el('p', { class: 'muted hint' }, bounds) : null,
        el('div', { class: 'actions' }, set, clear),
      );
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        let value;
        try {
          value = editor.read();
        } catch (err) {
          onInvalid(err);
          return;
        }
        await put({ [s.key]: value }, s);
      });
      clear.addEventListener('click', () => put({ [s.key]: null }, s));
      cells.push(el('td', {}, form));
    }
    return el('tr', { id: `${id}-row` }, cells);
  });
  return el(
    'table',
    { class: 'settings' },
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el('tbody', {}, body),
  );
}
