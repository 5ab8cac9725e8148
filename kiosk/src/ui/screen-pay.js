// Pay a bill, up to the verified bill: biller → account (number pad, or a resident card) → bill → method.
// After the account is identified the resident needs two taps: the method, then "done" on the result.
import { ApiError, post } from './api.js';
import { button, h, panel } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { numpad } from './numpad.js';
import { currentScreen, nav, register } from './router.js';
import { paymentOpen, state } from './state.js';
import { say } from './voice.js';
import { billFacts, errorPanel, title } from './widgets.js';

const BILLERS = ['water', 'electricity', 'gas', 'property'];
const DEMO_CARD = '04A1B2C3D4E5F6';
let simulated = true;

function billerScreen(params) {
  const last = state.session?.lastReceipt;
  return h(
    'section',
    { class: 'pay' },
    title(t('chooseBiller')),
    h(
      'div',
      { class: 'grid grid-2' },
      BILLERS.map((id) =>
        h(
          'button',
          {
            type: 'button',
            class: 'big-choice',
            'data-biller': id,
            onclick: () => nav.go('pay-account', { billerId: id, digits: '' }),
          },
          icon(id),
          h('span', {}, t(id)),
        ),
      ),
    ),
    h('p', { class: 'hint' }, icon('card'), h('span', {}, t('orCard'))),
    h(
      'div',
      { class: 'row' },
      simulated
        ? button(t('demoCard'), () => tapDemoCard(params), { iconName: 'card', testid: 'demo-card' })
        : null,
      last ? button(t('reprint'), () => reprint(params), { iconName: 'print', testid: 'reprint' }) : null,
    ),
    params.reprint === 'ok' ? panel('ok', 'check', t('reprinted')) : null,
    params.reprint === 'qr'
      ? panel(
          'warn',
          'warning',
          t('reprintQr'),
          h('img', { class: 'qr', src: '/kiosk/api/receipts/last/qr.svg', alt: t('receiptNo') }),
        )
      : null,
    params.error ? errorPanel(params.error) : null,
  );
}

async function tapDemoCard(params) {
  try {
    await post('/kiosk/api/sim/card', { cardUid: DEMO_CARD });
  } catch (err) {
    if (err.code === 'LINLI_ERR_SIMULATOR_ONLY') simulated = false;
    else params.error = err;
    void nav.refresh();
  }
}

async function reprint(params) {
  params.error = undefined;
  try {
    await post('/kiosk/api/receipts/reprint');
    params.reprint = 'ok';
  } catch (err) {
    if (err.code === 'LINLI_ERR_PRINTER_UNAVAILABLE') params.reprint = 'qr';
    else params.error = err;
  }
  void nav.refresh();
}

function accountScreen(params) {
  const pad = numpad({
    value: params.digits,
    max: 20,
    label: t('accountNumber'),
    testid: 'account',
    onChange: (v) => {
      params.digits = v;
      lookBtn.disabled = v.length < 4;
    },
    onEnter: () => lookUp(params),
  });
  const lookBtn = button(t('lookUp'), () => lookUp(params), {
    kind: 'primary',
    iconName: 'search',
    testid: 'lookup',
    disabled: params.digits.length < 4 || params.busy,
  });
  return h(
    'section',
    { class: 'pay' },
    title(`${t(params.billerId)} · ${t('enterAccount')}`, t('accountHelp')),
    h('label', { class: 'field-label', for: 'account-field' }, t('accountNumber')),
    pad.node,
    lookBtn,
    params.busy ? h('p', { class: 'hint', role: 'status' }, t('looking'), '…') : null,
    params.error ? errorPanel(params.error) : null,
  );
}

async function lookUp(params) {
  if (params.busy || params.digits.length < 4) return;
  params.busy = true;
  params.error = undefined;
  void nav.refresh();
  try {
    const { bills } = await post('/kiosk/api/bills', { billerId: params.billerId, account: params.digits });
    params.busy = false;
    await nav.go('pay-bill', { bills });
  } catch (err) {
    params.busy = false;
    params.error = err;
    void nav.refresh();
  }
}

function cardScreen(params) {
  const card = params.card;
  if (card.status === 'reading') {
    return h(
      'section',
      { class: 'pay' },
      title(t('cardReading')),
      h('div', { class: 'spinner', role: 'status' }),
    );
  }
  if (card.status !== 'found') {
    return h(
      'section',
      { class: 'pay' },
      title(t('cardNotFound')),
      card.error ? errorPanel(card.error) : null,
      button(t('enterAccount'), () => nav.replace('pay'), {
        kind: 'primary',
        iconName: 'pay',
        testid: 'enter-account',
      }),
    );
  }
  return h(
    'section',
    { class: 'pay' },
    title(t('cardFound'), card.label),
    h(
      'div',
      { class: 'list' },
      card.accounts.map((a) =>
        h(
          'button',
          {
            type: 'button',
            class: 'list-item account',
            'data-biller': a.billerId,
            // Nothing due, or an error: nothing to open. The reason is the button's own words (not a tap
            // into an almost empty screen).
            disabled: a.error || a.bills.length === 0 ? true : undefined,
            'data-due': String(a.bills.length > 0),
            onclick: () => nav.go('pay-bill', { bills: a.bills }),
          },
          icon(a.billerId),
          h(
            'span',
            { class: 'list-main' },
            h('strong', {}, tx(a.billerName)),
            h('span', {}, `${t('accountNumber')} ${a.accountMasked}`),
            a.error ? h('span', { class: 'list-note' }, a.error.message) : null,
          ),
          h(
            'span',
            { class: 'list-amount' },
            a.bills.length ? a.bills.map((b) => b.amountText).join(' ') : t('nothingDue'),
          ),
        ),
      ),
    ),
  );
}

function billScreen(params) {
  if (params.bills.length === 0) {
    return h('section', { class: 'pay' }, title(t('verifiedBill')), panel('ok', 'check', t('nothingDue')));
  }
  return h(
    'section',
    { class: 'pay' },
    title(t('verifiedBill')),
    params.bills.map((b) =>
      h(
        'article',
        { class: 'bill', 'data-bill': b.id },
        h('h2', { class: 'bill-title' }, icon(b.billerId), h('span', {}, tx(b.billerName))),
        h('p', { class: 'bill-amount' }, h('span', {}, t('amount')), h('strong', {}, b.amountText)),
        billFacts(b),
        methodButtons(params, b),
      ),
    ),
    methodNotices(),
    params.error ? errorPanel(params.error) : null,
  );
}

/** What the kiosk offers now (remote setting ∩ what is plugged in); before the first session: both. */
function methods() {
  return state.session?.methods ?? { offered: ['terminal', 'qr'], terminal: true, printer: true };
}

function methodButtons(params, b) {
  const offered = methods().offered;
  if (offered.length === 0) return null;
  return h(
    'div',
    { class: 'row' },
    offered.includes('terminal')
      ? button(t('payByCard'), () => startPayment(params, b, 'terminal'), {
          kind: 'primary',
          iconName: 'card',
          testid: 'pay-terminal',
        })
      : null,
    offered.includes('qr')
      ? button(t('payByQr'), () => startPayment(params, b, 'qr'), {
          kind: 'primary',
          iconName: 'qr',
          testid: 'pay-qr',
        })
      : null,
  );
}

/** Plain words for what is missing: nothing to pay with, no card terminal, no printer. */
function methodNotices() {
  const m = methods();
  if (m.offered.length === 0) {
    return h(
      'div',
      { 'data-testid': 'no-payment' },
      panel('warn', 'warning', t('noPayment'), h('p', {}, t('noPaymentHelp'))),
    );
  }
  return h(
    'div',
    {},
    !m.offered.includes('terminal') && m.configured?.includes('terminal')
      ? h(
          'p',
          { class: 'hint', 'data-testid': 'no-terminal' },
          icon('warning'),
          h('span', {}, t('noTerminal')),
        )
      : null,
    !m.printer
      ? h('p', { class: 'hint', 'data-testid': 'no-printer' }, icon('warning'), h('span', {}, t('noPrinter')))
      : null,
  );
}

async function startPayment(params, bill, method) {
  if (params.busy) return;
  params.busy = true;
  params.error = undefined;
  try {
    const view = await post('/kiosk/api/payments', { billId: bill.id, method, wait: false });
    state.payments.set(view.key, view);
    await nav.go('pay-status', { key: view.key, method, bill });
  } catch (err) {
    params.error = err instanceof ApiError ? err : { message: String(err) };
    void nav.refresh();
  } finally {
    params.busy = false;
  }
}

/** A resident card was read: show its accounts, unless a payment is on screen (the device refuses then). */
export function onCardEvent(card) {
  if (paymentOpen()) return;
  const cur = currentScreen();
  if (card.status === 'found') void say(t('cardFound'));
  if (cur.name === 'pay-card') {
    cur.params.card = card;
    void nav.refresh();
  } else void nav.go('pay-card', { card });
}

export function registerPayScreens() {
  register('pay', { render: billerScreen, speech: () => `${t('chooseBiller')}。${t('orCard')}` });
  register('pay-account', {
    render: accountScreen,
    speech: (p) => `${t(p.billerId)}。${t('enterAccount')}。${t('accountHelp')}`,
  });
  register('pay-card', {
    render: cardScreen,
    speech: (p) => (p.card.status === 'found' ? t('cardFound') : t('cardReading')),
  });
  register('pay-bill', {
    render: billScreen,
    speech: (p) => {
      if (!p.bills[0]) return t('nothingDue');
      const m = methods().offered;
      const how = m.length
        ? m.map((x) => t(x === 'terminal' ? 'payByCard' : 'payByQr')).join('，')
        : t('noPayment');
      return `${tx(p.bills[0].billerName)}，${t('amount')} ${p.bills[0].amountText}。${how}`;
    },
  });
}
