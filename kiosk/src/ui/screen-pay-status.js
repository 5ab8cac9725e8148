// A payment on screen, from "pay at the terminal" / the wallet QR to its outcome. Every state of the docs'
// table has its own words and icon; "checking" and "unresolved" tell the resident not to pay again and stay
// until the device knows (idle reset is off, home is guarded) — nobody is left guessing.
import { post } from './api.js';
import { button, facts, h, panel } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { currentScreen, nav, register } from './router.js';
import { onLive, state } from './state.js';
import { say } from './voice.js';
import { errorPanel, title } from './widgets.js';

let countdown;

function secondsLeft(iso) {
  return Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000));
}

function mmss(s) {
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function amountLine(p) {
  return h(
    'p',
    { class: 'bill-amount' },
    h('span', {}, `${tx(p.billerName)} ${p.accountMasked ?? ''}`),
    h('strong', {}, p.amountText),
  );
}

function cancelButton(params, p) {
  if (!p.cancelable) return null;
  return button(
    t('cancelPay'),
    async () => {
      try {
        const v = await post(`/kiosk/api/payments/${p.key}/cancel`);
        state.payments.set(v.key, v);
      } catch (err) {
        params.error = err;
      }
      void nav.refresh();
    },
    { kind: 'danger', iconName: 'cross', testid: 'cancel-pay' },
  );
}

function running(params, p) {
  if (p.status === 'awaiting_scan' && p.qr) {
    const left = h('strong', { id: 'qr-left' }, mmss(secondsLeft(p.qr.expiresAt)));
    clearInterval(countdown);
    countdown = setInterval(() => {
      const el = document.getElementById('qr-left');
      if (!el) clearInterval(countdown);
      else el.textContent = mmss(secondsLeft(p.qr.expiresAt));
    }, 1000);
    return [
      title(t('scanToPay')),
      h(
        'div',
        { class: 'result-grid' },
        h('div', { class: 'qr-box' }, h('img', { class: 'qr', src: p.qr.imageUrl, alt: t('scanToPay') })),
        h(
          'div',
          {},
          amountLine(p),
          h('p', { class: 'hint' }, icon('clock'), h('span', {}, `${t('qrLeft')} `, left)),
          h(
            'div',
            { class: 'row' },
            h(
              'a',
              {
                class: 'btn btn-secondary',
                href: p.qr.codeUrl,
                target: '_blank',
                rel: 'noopener',
                'data-testid': 'wallet-link',
              },
              icon('qr'),
              h('span', { class: 'btn-label' }, t('openWallet')),
            ),
            cancelButton(params, p),
          ),
        ),
      ),
    ];
  }
  if (p.status === 'awaiting_card') {
    return [
      title(t('payAtTerminal')),
      amountLine(p),
      p.prompt
        ? h('p', { class: 'prompt', 'aria-live': 'polite' }, icon('card'), h('span', {}, p.prompt))
        : null,
      h('p', { class: 'hint' }, icon('info'), h('span', {}, t('stay'))),
      h('div', { class: 'row' }, cancelButton(params, p)),
    ];
  }
  if (p.status === 'checking' || p.status === 'unresolved') {
    return [
      panel(
        'warn',
        'clock',
        t('checking'),
        h('p', { class: 'panel-text' }, t('checkingMore')),
        // The device's own words on what is wrong, for the staff the resident may ask.
        p.error ? h('p', { class: 'panel-text staff-note' }, `${t('forStaff')}: ${p.error.message}`) : null,
      ),
      amountLine(p),
      h('div', { class: 'spinner', role: 'status', 'aria-label': t('checking') }),
    ];
  }
  return [
    title(t('processing')),
    amountLine(p),
    h('div', { class: 'spinner', role: 'status', 'aria-label': t('processing') }),
  ];
}

function outcome(params, p) {
  const rows = [
    [t('paidAmount'), p.amountText],
    [t('accountNumber'), p.accountMasked],
    [t('receiptNo'), p.receipt?.id],
    [t('authCode'), p.authCode],
    [t('card'), p.maskedCard],
  ];
  const done = button(t('done'), () => nav.home(), { kind: 'primary', iconName: 'check', testid: 'done' });
  const again = params.bill
    ? button(t('tryAgain'), () => nav.back(), { iconName: 'repeat', testid: 'pay-again' })
    : null;
  if (p.status === 'paid') {
    const print = receiptPrint(p);
    const noPaper = print === 'failed';
    return [
      // Out of paper the payment still stands: a check mark, and the words say to scan the receipt instead.
      panel(
        noPaper ? 'warn' : 'ok',
        'check',
        t('paid'),
        h('p', { class: 'panel-text', 'data-print': print }, receiptWords(p)),
      ),
      h(
        'div',
        { class: 'result-grid' },
        h('div', {}, facts(rows), h('div', { class: 'row' }, done)),
        noPaper
          ? h(
              'div',
              { class: 'qr-box' },
              h('img', {
                class: 'qr',
                src: p.receipt.qrImageUrl,
                alt: t('receiptNo'),
                'data-testid': 'receipt-qr',
              }),
            )
          : // The simulated printer's image of the paper receipt (the demo has no paper to hand over).
            p.receipt?.previewUrl
            ? h('img', { class: 'receipt-preview', src: p.receipt.previewUrl, alt: t('receiptPreview') })
            : null,
      ),
    ];
  }
  const words = {
    declined: [t('declined'), t('declinedMore')],
    canceled: [t('canceled'), ''],
    voided: [t('voided'), t('voidedMore')],
    failed: [t('failed'), p.error?.message ?? ''],
  }[p.status] ?? [t('failed'), ''];
  return [
    panel(
      'error',
      'cross',
      words[0],
      words[1] ? h('p', { class: 'panel-text' }, words[1]) : null,
      p.reason ? h('p', { class: 'panel-text' }, `${t('reason')}: ${p.reason}`) : null,
    ),
    facts(rows.slice(0, 2)),
    h('div', { class: 'row' }, p.status === 'failed' ? null : again, done),
  ];
}

/**
 * Where the paper receipt is. Until the printer has answered it is `printing`: saying "printed" or "no paper"
 * then would be a guess, and a screen never guesses (views from before `print` existed: printed or not).
 */
function receiptPrint(p) {
  if (!p.receipt) return 'none';
  return p.receipt.print ?? (p.receipt.printed ? 'printed' : 'failed');
}

/** The words for the paper: take it, it is coming, or why it did not print (only "no paper" when it is). */
function receiptWords(p) {
  const print = receiptPrint(p);
  if (print === 'printing') return t('printingReceipt');
  if (print === 'failed') {
    return p.receipt.printError?.code === 'DEVICE_PAPER_OUT' ? t('paperOut') : t('receiptNotPrinted');
  }
  return print === 'printed' ? t('takeReceipt') : '';
}

/** What the screen last showed: a new status, or the paper's answer, is news (said aloud). */
function shownKey(p) {
  return `${p.status}/${receiptPrint(p)}`;
}

function isOutcome(p) {
  return ['paid', 'declined', 'canceled', 'voided', 'failed'].includes(p.status);
}

function render(params) {
  const p = state.payments.get(params.key) ?? state.session?.payment;
  if (!p) return h('section', {}, title(t('processing')));
  params.shown = shownKey(p);
  return h(
    'section',
    { class: 'pay-status', 'data-status': p.status, 'data-final': String(isOutcome(p)) },
    isOutcome(p) ? outcome(params, p) : running(params, p),
    params.error ? errorPanel(params.error) : null,
  );
}

function speech(p) {
  if (!p) return t('processing');
  switch (p.status) {
    case 'awaiting_card':
      return `${t('payAtTerminal')}。${p.amountText}`;
    case 'awaiting_scan':
      return `${t('scanToPay')}。${p.amountText}`;
    case 'checking':
    case 'unresolved':
      return t('checking');
    case 'paid':
      return `${t('paid')}。${receiptWords(p)}`;
    case 'declined':
      return `${t('declined')}。${t('declinedMore')}`;
    case 'canceled':
      return t('canceled');
    case 'voided':
      return t('voided');
    case 'failed':
      return t('failed');
    default:
      return t('processing');
  }
}

export function registerPayStatus() {
  register('pay-status', { render, speech: (params) => speech(state.payments.get(params.key)) });
  onLive((msg) => {
    const cur = currentScreen();
    if (cur.name !== 'pay-status') return;
    const p = msg.type === 'payment' ? msg.payment : msg.type === 'session' ? msg.session.payment : undefined;
    if (msg.type === 'prompt' && msg.key === cur.params.key) {
      const v = state.payments.get(msg.key);
      if (v) state.payments.set(msg.key, { ...v, prompt: msg.message });
      void nav.refresh();
      return;
    }
    if (!p || p.key !== cur.params.key) return;
    const changed = shownKey(p) !== cur.params.shown;
    void nav.refresh();
    if (changed) void say(speech(p));
  });
}
