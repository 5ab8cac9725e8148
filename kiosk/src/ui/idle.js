// Idle reset: after settings.idle.resetSec without a touch the kiosk goes home for the next resident, with a
// warning `warningSec` before that offering more time. Never while a payment runs or is unresolved
// (session.canIdleReset false): the resident must see how their money ends.
import { button, h, put } from './dom.js';
import { t } from './i18n.js';
import { icon } from './icons.js';
import { canIdleReset, state } from './state.js';

let lastTouch = Date.now();
let dialog;
let onReset = () => {};
let onIdle = () => {};

/** Any touch restarts the count. The warning itself goes away on its own click (see startIdle). */
export function touched() {
  lastTouch = Date.now();
}

export function idleSeconds() {
  return (Date.now() - lastTouch) / 1000;
}

function hideWarning() {
  if (dialog) dialog.hidden = true;
  document.body.classList.remove('modal-open');
}

function drawWarning(left) {
  // Only the count changes while the warning shows: rebuilding would swap the buttons under a finger.
  const count = dialog.querySelector('[data-testid="idle-left"]');
  if (!dialog.hidden && count) {
    count.textContent = String(left);
    return;
  }
  put(
    dialog,
    h(
      'div',
      { class: 'dialog-box' },
      h('h2', { id: 'idle-title', class: 'dialog-title' }, icon('clock'), h('span', {}, t('stillThere'))),
      h(
        'p',
        { class: 'dialog-count' },
        h('strong', { 'data-testid': 'idle-left' }, String(left)),
        ' ',
        t('goingHome'),
      ),
      h(
        'div',
        { class: 'row' },
        // The dialog's own click handler gives the time.
        button(t('moreTime'), () => {}, { kind: 'primary', iconName: 'plus', testid: 'more-time' }),
        button(
          t('goHomeNow'),
          () => {
            hideWarning();
            onReset();
          },
          { iconName: 'home', testid: 'idle-home' },
        ),
      ),
    ),
  );
  dialog.hidden = false;
  document.body.classList.add('modal-open');
}

/**
 * Start the idle clock. `isHome()` says whether the home screen shows (no reset needed there, the attract
 * loop starts instead via `idle(seconds)`); `reset()` sends the page home.
 */
export function startIdle({ isHome, reset, idle }) {
  onReset = reset;
  onIdle = idle;
  dialog = document.getElementById('idle-dialog');
  // Hidden on the click, not on the touch that starts it: hiding at touchstart would let the click land on
  // whatever lies under the dialog. The dialog covers the page, so any tap on it means "more time".
  dialog.addEventListener('click', () => {
    touched();
    hideWarning();
  });
  for (const ev of ['pointerdown', 'keydown', 'touchstart']) addEventListener(ev, touched, { capture: true });
  setInterval(() => {
    const { resetSec, warningSec } = state.settings.idle;
    const idleFor = idleSeconds();
    if (!canIdleReset()) {
      // A payment is open: keep the clock at zero so the warning starts afresh only after it ends.
      lastTouch = Date.now();
      hideWarning();
      return;
    }
    if (isHome()) {
      hideWarning();
      onIdle(idleFor);
      return;
    }
    if (idleFor >= resetSec) {
      hideWarning();
      lastTouch = Date.now();
      onReset();
    } else if (idleFor >= resetSec - warningSec) {
      drawWarning(Math.max(1, Math.ceil(resetSec - idleFor)));
    }
  }, 250);
}
