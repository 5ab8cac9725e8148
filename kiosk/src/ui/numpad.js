// An on-screen number pad (no system keyboard on a kiosk). Digits go into `params[field]`, so the value
// survives a language switch; a hardware scanner or keyboard-wedge reader typing into the page also works.
import { button, h } from './dom.js';
import { t } from './i18n.js';

/**
 * numpad({value, max, onChange, label, testid}) → {node}. The display is a read-only text field that takes
 * keystrokes (a scanner "types" a whole code and Enter), and `onEnter` runs on Enter.
 */
export function numpad({ value, max = 32, onChange, onEnter, label, testid = 'numpad', allow = /[0-9]/ }) {
  const display = h('input', {
    id: `${testid}-field`,
    class: 'numpad-field',
    'data-testid': `${testid}-field`,
    value,
    inputmode: 'none',
    autocomplete: 'off',
    'aria-label': label,
  });
  const set = (v) => {
    const next = v.slice(0, max);
    display.value = next;
    onChange(next);
  };
  display.addEventListener('input', () => {
    // A scanner may type a whole URL: keep it as typed, the device decides what it means.
    onChange(display.value);
  });
  display.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      onEnter?.(display.value);
    }
  });
  const key = (d) =>
    h(
      'button',
      {
        type: 'button',
        class: 'key',
        'data-key': d,
        onclick: () => {
          if (allow.test(d)) set(display.value + d);
        },
      },
      d,
    );
  const pad = h(
    'div',
    { class: 'numpad', role: 'group', 'aria-label': label },
    ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map(key),
    button(t('clear'), () => set(''), { cls: 'key key-word', testid: `${testid}-clear` }),
    key('0'),
    button(t('erase'), () => set(display.value.slice(0, -1)), {
      cls: 'key key-word',
      iconName: 'erase',
      testid: `${testid}-erase`,
    }),
  );
  return { node: h('div', { class: 'numpad-wrap' }, display, pad), display };
}
