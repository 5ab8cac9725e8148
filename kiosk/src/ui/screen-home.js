// Home: four large cards (pay, service matters, appointments, notices). Language, larger text and voice are
// in the header on every screen.
import { h, put } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { register } from './router.js';
import { loadNotices } from './screen-notices.js';

function card(iconName, title, hint, onTap, testid) {
  return h(
    'button',
    { type: 'button', class: 'home-card', 'data-testid': testid, onclick: onTap },
    icon(iconName),
    h('span', { class: 'home-card-title' }, title),
    h('span', { class: 'home-card-hint' }, hint),
  );
}

/** The newest notice under the cards (filled in when the device answers; home never waits for it). */
function latestNotice(nav) {
  const strip = h('div', { class: 'home-latest' });
  loadNotices()
    .then((notices) => {
      const n = notices[0];
      if (!n) return;
      put(
        strip,
        h('h2', { class: 'section-title' }, t('latestNotice')),
        h(
          'button',
          {
            type: 'button',
            class: 'list-item notice',
            'data-notice': n.id,
            onclick: () => nav.go('notice', { notice: n }),
          },
          icon('notices'),
          h(
            'span',
            { class: 'list-main' },
            h('strong', {}, tx(n.title)),
            h('span', { class: 'list-snippet' }, tx(n.body).slice(0, 60)),
          ),
        ),
      );
    })
    .catch(() => {});
  return strip;
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
        latestNotice(nav),
      ),
  });
}
