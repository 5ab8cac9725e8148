// Appointments at the community office: matter → day → free slot → confirm → slip (queue number, QR,
// printed or not). Slots live in the control plane: offline, the kiosk says so and gives the office phone.
import { get, post } from './api.js';
import { dayLabel, dayNote, slotTime, slotWhen } from './booking-text.js';
import { button, facts, h, panel } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { nav, register } from './router.js';
import { loadCatalogue, matterButton } from './screen-services.js';
import { errorPanel, title } from './widgets.js';

/** The offline error names the office phone (details.phone), so the resident can still book by phone. */
export function apptError(err) {
  if (err?.code === 'LINLI_ERR_UNAVAILABLE') {
    return panel(
      'error',
      'warning',
      t('offline'),
      err.details?.phone
        ? h(
            'p',
            { class: 'phone-big', 'data-testid': 'office-phone' },
            icon('phone'),
            h('span', {}, err.details.phone),
          )
        : null,
      h('p', { class: 'code' }, err.code),
    );
  }
  return errorPanel(err);
}

function menu() {
  return h(
    'section',
    { class: 'appointments' },
    title(t('apptTitle')),
    h(
      'div',
      { class: 'grid grid-2' },
      h(
        'button',
        {
          type: 'button',
          class: 'big-choice',
          'data-testid': 'appt-book',
          onclick: () => nav.go('appt-matters'),
        },
        icon('calendar'),
        h('span', {}, t('apptBook')),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'big-choice',
          'data-testid': 'appt-cancel',
          onclick: () => nav.go('appt-cancel', { code: '' }),
        },
        icon('cross'),
        h('span', {}, t('apptCancel')),
      ),
    ),
  );
}

async function matters(params) {
  try {
    params.catalogue ??= await loadCatalogue();
  } catch (err) {
    return h('section', {}, title(t('chooseMatter')), errorPanel(err));
  }
  const bookable = params.catalogue.matters.filter((m) => m.bookable);
  return h(
    'section',
    { class: 'appointments' },
    title(t('chooseMatter')),
    h(
      'div',
      { class: 'list' },
      bookable.map((m) => matterButton(m, () => nav.go('appt-days', { matterId: m.id, matterName: m.name }))),
    ),
  );
}

async function days(params) {
  try {
    params.days ??= await get(`/kiosk/api/appointments/days?matterId=${encodeURIComponent(params.matterId)}`);
  } catch (err) {
    params.days = undefined;
    return h(
      'section',
      {},
      title(t('chooseDay'), tx(params.matterName)),
      apptError(err),
      button(t('retry'), () => nav.refresh(), { iconName: 'repeat' }),
    );
  }
  const { office, days: list } = params.days;
  return h(
    'section',
    { class: 'appointments' },
    title(t('chooseDay'), `${tx(params.matterName)} · ${tx(office.name)}`),
    h(
      'div',
      { class: 'grid grid-days' },
      list.map((d) => {
        const usable = d.open && d.free > 0 && d.status !== 'over';
        return h(
          'button',
          {
            type: 'button',
            class: 'day',
            'data-date': d.date,
            disabled: usable ? undefined : true,
            onclick: () =>
              nav.go('appt-slots', {
                matterId: params.matterId,
                matterName: params.matterName,
                date: d.date,
                office,
              }),
          },
          h('strong', {}, dayLabel(d)),
          h('span', {}, dayNote(d)),
        );
      }),
    ),
  );
}

async function slots(params) {
  try {
    params.slots ??= await get(
      `/kiosk/api/appointments/slots?matterId=${encodeURIComponent(params.matterId)}&date=${params.date}`,
    );
  } catch (err) {
    params.slots = undefined;
    return h('section', {}, title(t('chooseSlot'), params.date), apptError(err));
  }
  return h(
    'section',
    { class: 'appointments' },
    title(t('chooseSlot'), `${tx(params.matterName)} · ${dayLabel({ date: params.date })}`),
    params.error ? apptError(params.error) : null,
    h(
      'div',
      { class: 'grid grid-slots' },
      params.slots.slots.map((s) =>
        h(
          'button',
          {
            type: 'button',
            class: 'slot',
            'data-slot': s.start,
            disabled: s.free > 0 ? undefined : true,
            onclick: () => nav.go('appt-confirm', { ...params, slot: s, office: params.slots.office }),
          },
          h('strong', {}, slotTime(s, params.date)),
          h('span', {}, s.free > 0 ? `${t('freeN')} ${s.free}` : t('full')),
        ),
      ),
    ),
  );
}

function confirmScreen(params) {
  return h(
    'section',
    { class: 'appointments' },
    title(t('confirmBooking')),
    facts([
      [t('matter'), tx(params.matterName)],
      [t('time'), slotWhen(params.slot, params.date)],
      [t('office'), tx(params.office.name)],
      [t('address'), tx(params.office.address)],
      [t('phone'), params.office.phone],
    ]),
    h(
      'div',
      { class: 'row' },
      button(t('confirm'), () => book(params), {
        kind: 'primary',
        iconName: 'check',
        testid: 'confirm-booking',
        disabled: params.busy,
      }),
    ),
    params.error ? apptError(params.error) : null,
  );
}

async function book(params) {
  if (params.busy) return;
  params.busy = true;
  params.error = undefined;
  void nav.refresh();
  try {
    const r = await post('/kiosk/api/appointments', {
      matterId: params.matterId,
      slotStart: params.slot.start,
    });
    await nav.replace('appt-slip', { result: r });
  } catch (err) {
    params.busy = false;
    params.error = err;
    void nav.refresh();
  }
}

/** The slip on screen: queue number and QR on one side; the facts, a printing note and `actions` beside. */
export function slipView(a, printed, actions) {
  return h(
    'div',
    { class: 'result-grid' },
    h(
      'div',
      { class: 'slip' },
      h('p', { class: 'slip-label' }, t('queueNumber')),
      h('p', { class: 'slip-number', 'data-testid': 'queue-number' }, a.number),
      h('img', { class: 'qr', src: a.qrImageUrl, alt: t('bookingCode') }),
    ),
    h(
      'div',
      {},
      printed === undefined
        ? null
        : printed
          ? panel('ok', 'print', t('slipPrinted'))
          : panel('warn', 'warning', t('slipNotPrinted')),
      facts([
        [t('bookingCode'), h('span', { class: 'code-big', 'data-testid': 'booking-code' }, a.code)],
        [t('matter'), tx(a.matterName)],
        [t('time'), a.slotLabel],
        [t('office'), tx(a.office.name)],
        [t('address'), tx(a.office.address)],
        [t('phone'), a.office.phone],
      ]),
      actions,
    ),
  );
}

function slip(params) {
  const { appointment: a, printed } = params.result;
  return h(
    'section',
    { class: 'appointments', 'data-status': a.status },
    panel('ok', 'check', t('booked')),
    slipView(
      a,
      printed,
      h(
        'div',
        { class: 'row' },
        button(t('done'), () => nav.home(), { kind: 'primary', iconName: 'check', testid: 'done' }),
      ),
    ),
  );
}

export function registerAppointmentScreens() {
  register('appointments', { render: menu, speech: () => `${t('apptBook')}，${t('apptCancel')}` });
  register('appt-matters', { render: matters, speech: () => t('chooseMatter') });
  register('appt-days', { render: days, speech: () => t('chooseDay') });
  register('appt-slots', { render: slots, speech: () => t('chooseSlot') });
  register('appt-confirm', {
    render: confirmScreen,
    speech: (p) => `${t('confirmBooking')}。${tx(p.matterName)}，${slotWhen(p.slot, p.date)}`,
  });
  register('appt-slip', {
    render: slip,
    speech: (p) =>
      `${t('booked')}。${t('queueNumber')} ${p.result.appointment.number}。${p.result.printed ? t('slipPrinted') : t('slipNotPrinted')}`,
  });
}
