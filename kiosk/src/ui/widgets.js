// Small shared pieces of screens: the title, the error panel, a bill summary.
import { facts, h, panel } from './dom.js';
import { t, tx } from './i18n.js';

export function title(text, sub) {
  return [h('h1', { class: 'screen-title' }, text), sub ? h('p', { class: 'screen-sub' }, sub) : null];
}

/** An error from the device, in its own words (bilingual, meant for the screen) plus its code for staff. */
export function errorPanel(err, extra) {
  return panel(
    'error',
    'warning',
    t('errorTitle'),
    h('p', { class: 'panel-text' }, err?.message ?? String(err)),
    extra ?? null,
    err?.code ? h('p', { class: 'code' }, err.code) : null,
  );
}

export function billerName(b) {
  return tx(b.billerName);
}

export function billFacts(b) {
  return facts([
    [t('accountNumber'), b.accountMasked],
    [t('holder'), b.holderMasked],
    [t('period'), b.period],
    [t('due'), b.dueDate],
  ]);
}
