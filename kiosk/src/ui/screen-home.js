// Home: four large cards (pay, service matters, appointments, notices). Language, larger text and voice are
// in the header on every screen.
import { h } from './dom.js';
import { t } from './i18n.js';
import { icon } from './icons.js';
import { register } from './router.js';

function card(iconName, title, hint, onTap, testid) {
  return h(
    'button',
    { type: 'button', class: 'home-card', 'data-testid': testid, onclick: onTap },
    icon(iconName),
    h('span', { class: 'home-card-title' }, title),
    h('span', { class: 'home-card-hint' }, hint),
  );
}

export function registerHome() {
  register('home', {
    speech: () => t('welcome'),
    render: (_p, nav) =>
      h(
        'section',
        { class: 'home' },
        h('h1', { class: 'screen-title' }, t('welcome')),
        h(
          'div',
          { class: 'home-grid' },
          card('pay', t('payTitle'), t('payHint'), () => nav.go('pay'), 'go-pay'),
          card('services', t('servicesTitle'), t('servicesHint'), () => nav.go('services'), 'go-services'),
          card('calendar', t('apptTitle'), t('apptHint'), () => nav.go('appointments'), 'go-appointments'),
          card('notices', t('noticesTitle'), t('noticesHint'), () => nav.go('notices'), 'go-notices'),
        ),
      ),
  });
}
