// Service matters (办事指南 / 一口式办理): categories as big buttons, a list per category, and search by pinyin
// initials or common words. The catalogue is the device's verified copy (GET /kiosk/api/services).
import { get } from './api.js';
import { button, h, put } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { keyboard } from './keyboard.js';
import { currentScreen, nav, register } from './router.js';
import { errorPanel, title } from './widgets.js';

const CATEGORY_ICONS = {
  elderly: 'elderly',
  family: 'family',
  health: 'health',
  medical: 'health',
  social: 'help',
  'social-security': 'work',
  employment: 'work',
  residence: 'residence',
  disability: 'person',
  civil: 'residence',
};

/** One matter as a big list button (opens its detail). */
export function matterButton(m, onTap) {
  return h(
    'button',
    {
      type: 'button',
      class: 'list-item matter',
      'data-matter': m.id,
      onclick: onTap ?? (() => nav.go('matter', { id: m.id })),
    },
    icon('services'),
    h('span', { class: 'list-main' }, h('strong', {}, tx(m.name))),
    m.bookable ? h('span', { class: 'list-note' }, icon('calendar'), h('span', {}, t('bookThis'))) : null,
  );
}

export async function loadCatalogue(q) {
  return get(`/kiosk/api/services${q ? `?q=${encodeURIComponent(q)}` : ''}`);
}

async function categories(params) {
  try {
    params.catalogue ??= await loadCatalogue();
  } catch (err) {
    return h('section', {}, title(t('servicesTitle')), errorPanel(err));
  }
  const c = params.catalogue;
  return h(
    'section',
    { class: 'services' },
    title(t('servicesTitle'), t('categories')),
    button(t('search'), () => nav.go('services-search', { q: '' }), {
      kind: 'primary',
      iconName: 'search',
      testid: 'go-search',
      cls: 'wide',
    }),
    h(
      'div',
      { class: 'grid grid-2' },
      c.categories.map((cat) =>
        h(
          'button',
          {
            type: 'button',
            class: 'big-choice',
            'data-category': cat.id,
            onclick: () => nav.go('services-list', { categoryId: cat.id, catalogue: c }),
          },
          icon(CATEGORY_ICONS[cat.id] ?? CATEGORY_ICONS[cat.icon] ?? 'services'),
          h('span', {}, tx(cat.name)),
        ),
      ),
    ),
  );
}

async function list(params) {
  try {
    params.catalogue ??= await loadCatalogue();
  } catch (err) {
    return h('section', {}, title(t('servicesTitle')), errorPanel(err));
  }
  const cat = params.catalogue.categories.find((x) => x.id === params.categoryId);
  const matters = params.catalogue.matters.filter((m) => m.categoryId === params.categoryId);
  return h(
    'section',
    { class: 'services' },
    title(tx(cat?.name) || t('matters')),
    h(
      'div',
      { class: 'list' },
      matters.map((m) => matterButton(m)),
    ),
  );
}

let searchSeq = 0;
let searchTimer;

function search(params) {
  const results = h('div', { class: 'list results', id: 'search-results', 'aria-live': 'polite' });
  const fill = () => {
    if (!params.q) {
      put(results, h('p', { class: 'hint' }, icon('info'), h('span', {}, t('searchHint'))));
      return;
    }
    if (params.error) {
      put(results, errorPanel(params.error));
      return;
    }
    const ms = params.results ?? [];
    put(
      results,
      h('h2', { class: 'section-title' }, `${t('results')} (${ms.length})`),
      ms.length
        ? ms.map((m) => matterButton(m))
        : h('p', { class: 'hint' }, icon('info'), h('span', {}, t('noResults'))),
    );
  };
  const run = () => {
    const my = ++searchSeq;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      try {
        const r = params.q ? await loadCatalogue(params.q) : { matters: [] };
        if (my !== searchSeq) return;
        params.results = r.matters;
        params.error = undefined;
      } catch (err) {
        if (my !== searchSeq) return;
        params.error = err;
      }
      if (currentScreen().params === params) fill();
    }, 150);
  };
  fill();
  return h(
    'section',
    { class: 'services search' },
    title(t('search'), t('searchHint')),
    h(
      'div',
      { class: 'split' },
      keyboard({
        value: params.q,
        onChange: (v) => {
          params.q = v;
          run();
        },
      }),
      results,
    ),
  );
}

export function registerServiceScreens() {
  register('services', { render: categories, speech: () => `${t('servicesTitle')}。${t('categories')}` });
  register('services-list', { render: list, speech: () => t('matters') });
  register('services-search', { render: search, speech: () => t('searchHint') });
}
