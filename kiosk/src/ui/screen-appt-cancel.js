// Cancel a booking: type the 8-digit code on the number pad, or scan the slip (a scanner types its QR's
// verify URL into the focused field and presses Enter); the device decides what the code means.
import { post } from './api.js';
import { button, h, panel } from './dom.js';
import { t, tx } from './i18n.js';
import { numpad } from './numpad.js';
import { nav, register } from './router.js';
import { apptError, slipView } from './screen-appointments.js';
import { title } from './widgets.js';

async function lookup(params) {
  if (params.busy || !params.code) return;
  params.busy = true;
  params.error = undefined;
  try {
    params.found = await post('/kiosk/api/appointments/lookup', { code: params.code.trim() });
  } catch (err) {
    params.error = err;
  }
  params.busy = false;
  void nav.refresh();
}

async function cancel(params) {
  if (params.busy) return;
  params.busy = true;
  params.error = undefined;
  try {
    params.found = await post('/kiosk/api/appointments/cancel', { code: params.code.trim() });
    params.canceled = true;
  } catch (err) {
    params.error = err;
  }
  params.busy = false;
  void nav.refresh();
}

function render(params) {
  if (params.found) {
    const a = params.found;
    return h(
      'section',
      { class: 'appointments', 'data-status': a.status },
      params.canceled
        ? panel('ok', 'check', t('canceledAppt'))
        : title(`${t(`status_${a.status}`)} · ${tx(a.matterName)}`),
      params.error ? apptError(params.error) : null,
      slipView(
        a,
        undefined,
        h(
          'div',
          { class: 'row' },
          a.status === 'booked' && !params.canceled
            ? button(t('cancelThis'), () => cancel(params), {
                kind: 'danger',
                iconName: 'cross',
                testid: 'confirm-cancel',
              })
            : null,
          button(t('done'), () => nav.home(), { kind: 'primary', iconName: 'check', testid: 'done' }),
        ),
      ),
    );
  }
  const pad = numpad({
    value: params.code,
    max: 8,
    label: t('bookingCodeField'),
    testid: 'code',
    onChange: (v) => {
      params.code = v;
    },
    onEnter: () => lookup(params),
  });
  // The field has focus so a slip scanner (a keyboard-wedge device) types straight into it.
  queueMicrotask(() => pad.display.focus({ preventScroll: true }));
  return h(
    'section',
    { class: 'appointments' },
    title(t('apptCancel'), t('enterCode')),
    h('label', { class: 'field-label', for: 'code-field' }, t('bookingCodeField')),
    pad.node,
    button(t('find'), () => lookup(params), { kind: 'primary', iconName: 'search', testid: 'find-booking' }),
    params.error ? apptError(params.error) : null,
  );
}

export function registerCancelScreens() {
  register('appt-cancel', { render, speech: () => t('enterCode') });
}
