// The search keyboard: pinyin initials A–Z and a few common Chinese words, so nobody needs a system
// keyboard or an input method. The text lives in params, so it survives a language switch.
import { button, h } from './dom.js';
import { t } from './i18n.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
// Words that start the names of common community matters (searched as substrings of the Chinese name).
export const QUICK_WORDS = ['老年', '高龄', '养老', '医疗', '救助', '居住证', '生育', '残疾'];

export function keyboard({ value, onChange }) {
  const field = h('input', {
    id: 'search-field',
    class: 'search-field',
    'data-testid': 'search-field',
    value,
    inputmode: 'none',
    autocomplete: 'off',
    'aria-label': t('searchLabel'),
  });
  const set = (v) => {
    field.value = v;
    onChange(v);
  };
  field.addEventListener('input', () => onChange(field.value));
  const key = (label, add, cls = 'key') =>
    h(
      'button',
      { type: 'button', class: cls, 'data-key': label, onclick: () => set(field.value + add) },
      label,
    );
  return h(
    'div',
    { class: 'keyboard' },
    h('label', { class: 'field-label', for: 'search-field' }, t('searchLabel')),
    field,
    h(
      'div',
      { class: 'letters', role: 'group', 'aria-label': t('searchHint') },
      LETTERS.map((l) => key(l, l)),
    ),
    h('p', { class: 'field-label' }, t('quickWords')),
    h(
      'div',
      { class: 'words', role: 'group', 'aria-label': t('quickWords') },
      QUICK_WORDS.map((w) => key(w, w, 'key key-word')),
    ),
    h(
      'div',
      { class: 'row' },
      button(t('erase'), () => set(field.value.slice(0, -1)), { iconName: 'erase', testid: 'search-erase' }),
      button(t('clear'), () => set(''), { iconName: 'cross', testid: 'search-clear' }),
    ),
  );
}
