// Community notices: the current ones as large cards, each opening in large text with read-aloud.
import { get } from './api.js';
import { button, h, panel } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { nav, register } from './router.js';
import { say } from './voice.js';
import { errorPanel, title } from './widgets.js';

export async function loadNotices() {
  return (await get('/kiosk/api/notices')).notices;
}

async function list(params) {
  try {
    params.notices ??= await loadNotices();
  } catch (err) {
    return h('section', {}, title(t('noticesTitle')), errorPanel(err));
  }
  return h(
    'section',
    { class: 'notices' },
    title(t('noticesTitle')),
    params.notices.length === 0
      ? panel('ok', 'info', t('noNotices'))
      : h(
          'div',
          { class: 'list' },
          params.notices.map((n) =>
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
                h('span', { class: 'list-snippet' }, tx(n.body).slice(0, 40)),
              ),
            ),
          ),
        ),
  );
}

const noticeSpeech = (n) => `${tx(n.title)}。${tx(n.body)}`;

function detail(params) {
  const n = params.notice;
  return h(
    'article',
    { class: 'notice-detail' },
    title(tx(n.title)),
    h(
      'div',
      { class: 'row' },
      button(t('readAloud'), () => say(noticeSpeech(n)), {
        kind: 'primary',
        iconName: 'speaker',
        testid: 'read-notice',
        cls: 'voice-only',
      }),
    ),
    h('p', { class: 'notice-body' }, tx(n.body)),
    (n.images ?? []).map((i) => h('img', { class: 'notice-image', src: i.url, alt: i.alt ?? '' })),
  );
}

export function registerNoticeScreens() {
  register('notices', { render: list, speech: () => t('noticesTitle') });
  register('notice', { render: detail, speech: (p) => noticeSpeech(p.notice) });
}
