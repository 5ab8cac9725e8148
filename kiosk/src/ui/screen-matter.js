// One service matter with everything the community plan asks to publish: name, legal basis, what it covers,
// materials (copies, originals), steps, time limit, fee, office, hours, phone. "Print this list of
// materials" uses the receipt printer; "book an appointment" goes straight to choosing a day.
import { get, post } from './api.js';
import { button, facts, h, panel } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { nav, register } from './router.js';
import { state } from './state.js';
import { say } from './voice.js';
import { errorPanel, title } from './widgets.js';

function materialLine(m) {
  const parts = [`${m.copies} ${t('copies')}`, m.original ? t('original') : t('copy')];
  return h(
    'li',
    { class: 'material' },
    h('strong', {}, tx(m.name)),
    h('span', { class: 'material-meta' }, parts.join(' · ')),
    m.note ? h('span', { class: 'material-note' }, tx(m.note)) : null,
  );
}

function block(heading, ...body) {
  return h('section', { class: 'block' }, h('h2', { class: 'section-title' }, heading), ...body);
}

export function matterSpeech(m) {
  if (!m) return '';
  const mats = m.materials.map((x) => tx(x.name)).join('，');
  return `${tx(m.name)}。${t('materials')}：${mats}。${t('timeLimit')}：${tx(m.timeLimit)}。${t('office')}：${tx(m.office.name)}，${tx(m.office.hours)}`;
}

async function printList(params) {
  params.print = 'busy';
  void nav.refresh();
  try {
    await post(`/kiosk/api/services/${params.id}/print`, { lang: state.lang });
    params.print = 'ok';
  } catch (err) {
    params.print = err.code === 'LINLI_ERR_PRINTER_UNAVAILABLE' ? 'paper' : err;
  }
  void nav.refresh();
}

async function render(params) {
  try {
    params.matter ??= await get(`/kiosk/api/services/${encodeURIComponent(params.id)}`);
  } catch (err) {
    return h('section', {}, title(t('servicesTitle')), errorPanel(err));
  }
  const m = params.matter;
  const printState =
    params.print === 'ok'
      ? panel('ok', 'check', t('printed'))
      : params.print === 'paper'
        ? panel('warn', 'warning', t('printFailed'))
        : params.print && params.print !== 'busy'
          ? errorPanel(params.print)
          : null;
  return h(
    'article',
    { class: 'matter-detail', 'data-matter': m.id },
    title(tx(m.name)),
    h(
      'div',
      { class: 'row actions' },
      button(t('printMaterials'), () => printList(params), {
        kind: 'primary',
        iconName: 'print',
        testid: 'print-materials',
        disabled: params.print === 'busy',
      }),
      m.bookable
        ? button(t('bookThis'), () => nav.go('appt-days', { matterId: m.id, matterName: m.name }), {
            kind: 'primary',
            iconName: 'calendar',
            testid: 'book-matter',
          })
        : null,
      button(t('readAloud'), () => say(matterSpeech(m)), {
        iconName: 'speaker',
        testid: 'read-matter',
        cls: 'voice-only',
      }),
    ),
    printState,
    block(t('materials'), h('ol', { class: 'materials' }, m.materials.map(materialLine))),
    block(
      t('steps'),
      h(
        'ol',
        { class: 'steps' },
        m.steps.map((s) => h('li', {}, tx(s))),
      ),
    ),
    // The heading is not "office" again: the first row already says 办理地点.
    block(
      t('officeInfo'),
      facts([
        [t('office'), tx(m.office.name)],
        [t('address'), tx(m.office.address)],
        [t('hours'), tx(m.office.hours)],
        [t('phone'), m.office.phone],
        [t('timeLimit'), tx(m.timeLimit)],
        [t('fee'), tx(m.fee)],
      ]),
    ),
    block(t('covers'), h('p', { class: 'prose' }, tx(m.covers))),
    block(t('legalBasis'), h('p', { class: 'prose' }, tx(m.legalBasis))),
    h('p', { class: 'hint' }, icon('phone'), h('span', {}, `${t('phone')} ${m.office.phone}`)),
  );
}

export function registerMatterScreen() {
  register('matter', { render, speech: (p) => (p.matter ? matterSpeech(p.matter) : '') });
}
