// Service matters and appointments: the catalogue in scope (edit a matter; the change reaches the kiosks
// signed, through their TUF content) and each office's appointments of a day, with cancel.
import { call, get, post, query } from './api.js';
import { badge, bi, el, table, today } from './dom.js';
import { loadZones } from './zones.js';

const APT = {
  booked: ['ok', '已预约 booked'],
  canceled: ['info', '已取消 canceled'],
  done: ['info', '已办结 done'],
};

/** Materials as editable lines: `名称 | 份数 | 原件` — English names and notes of unchanged lines are kept. */
function materialsText(ms) {
  return ms.map((m) => `${m.name.zh} | ${m.copies} | ${m.original ? '原件' : '复印件'}`).join('\n');
}

function parseMaterials(text, before) {
  const byName = new Map(before.map((m) => [m.name.zh, m]));
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const [name, copies = '1', kind = '复印件'] = line.split('|').map((s) => s.trim());
      const n = Number(copies);
      if (!name || !Number.isInteger(n) || n < 1 || n > 20) {
        throw new Error(
          `材料第 ${i + 1} 行格式应为“名称 | 份数 | 原件或复印件” Line ${i + 1}: name | copies (1–20) | 原件/复印件`,
        );
      }
      const old = byName.get(name);
      return {
        name: old ? old.name : { zh: name },
        copies: n,
        original: kind === '原件',
        ...(old?.note ? { note: old.note } : {}),
      };
    });
}

function matterForm(m, categories, ctx) {
  const f = el(
    'form',
    { class: 'stack', id: 'matter-form' },
    el('h2', {}, ...bi('编辑事项', 'Edit matter'), ' ', el('code', {}, m.initials)),
    el('label', { for: 'm-name' }, ...bi('事项名称', 'Name')),
    el('input', { id: 'm-name', value: m.name.zh, required: true, maxlength: 64 }),
    el('label', { for: 'm-category' }, ...bi('类别', 'Category')),
    el(
      'select',
      { id: 'm-category' },
      categories.map((c) => el('option', { value: c.id, selected: c.id === m.categoryId }, c.name.zh)),
    ),
    el(
      'label',
      { for: 'm-materials' },
      ...bi('所需材料（每行：名称 | 份数 | 原件或复印件）', 'Materials (one per line)'),
    ),
    el(
      'textarea',
      { id: 'm-materials', rows: Math.max(3, m.materials.length + 1) },
      materialsText(m.materials),
    ),
    el('label', { for: 'm-time' }, ...bi('办理时限', 'Time limit')),
    el('input', { id: 'm-time', value: m.timeLimit.zh, required: true, maxlength: 100 }),
    el('label', { for: 'm-fee' }, ...bi('收费标准', 'Fee')),
    el('input', { id: 'm-fee', value: m.fee.zh, required: true, maxlength: 100 }),
    el(
      'label',
      { class: 'check' },
      el('input', { type: 'checkbox', id: 'm-bookable', checked: m.bookable }),
      ' ',
      ...bi('可在终端预约', 'Bookable at kiosks'),
    ),
    el('button', { type: 'submit', class: 'primary' }, ...bi('保存并下发到终端', 'Save and send to kiosks')),
  );
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = (id) => f.querySelector(`#${id}`).value.trim();
    // English text is kept only where the Chinese it translates did not change.
    const keep = (old, zh) => (old.zh === zh && old.en ? { zh, en: old.en } : { zh });
    try {
      const body = {
        nodeId: m.nodeId,
        categoryId: v('m-category'),
        name: keep(m.name, v('m-name')),
        legalBasis: m.legalBasis,
        covers: m.covers,
        materials: parseMaterials(f.querySelector('#m-materials').value, m.materials),
        steps: m.steps,
        timeLimit: keep(m.timeLimit, v('m-time')),
        fee: keep(m.fee, v('m-fee')),
        bookable: f.querySelector('#m-bookable').checked,
        order: m.order,
        ...(m.officeId ? { officeId: m.officeId } : {}),
      };
      const saved = await call('PUT', `/api/v1/admin/matters/${m.id}`, body);
      ctx.flash(`已保存 Saved: ${saved.name.zh}（${saved.initials}）`);
      await ctx.refresh();
    } catch (err) {
      ctx.flashError(err);
    }
  });
  return f;
}

async function appointmentsBox(box, office, date, ctx) {
  const r = await get(`/api/v1/admin/appointments${query({ officeId: office.id, date })}`);
  box.replaceChildren(
    table(
      `${office.name.zh} ${date} 的预约（${r.appointments.length}） Appointments`,
      [
        '号码 No.',
        ['时段 Time ', el('span', { class: 'zone' }, `(${office.timezone})`)],
        '事项 Matter',
        '状态 Status',
        '',
      ],
      r.appointments.map((a) => {
        const [k, t] = APT[a.status] ?? ['info', a.status];
        const cancel =
          a.status === 'booked'
            ? el(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'aria-label': `取消预约 Cancel ${a.number}`,
                  onclick: async () => {
                    try {
                      await post(`/api/v1/admin/appointments/${a.id}/cancel`, {
                        reason: '社区工作人员取消 canceled by staff',
                      });
                      ctx.flash(`已取消 Canceled ${a.number}`);
                      await appointmentsBox(box, office, date, ctx);
                    } catch (err) {
                      ctx.flashError(err);
                    }
                  },
                },
                ...bi('取消', 'Cancel'),
              )
            : null;
        return [a.number, a.slotLabel, a.matterName.zh, badge(k, t), cancel];
      }),
    ),
  );
}

export async function renderServices(view, ctx) {
  const [{ matters }, { categories }, { offices }] = await Promise.all([
    get('/api/v1/admin/matters'),
    get('/api/v1/admin/service-categories'),
    get('/api/v1/admin/offices'),
  ]);
  const catName = new Map(categories.map((c) => [c.id, c.name.zh]));
  const editor = el('section', { class: 'card', id: 'matter-editor', hidden: true });
  const { home } = await loadZones(ctx.session);
  const date = new URLSearchParams(location.hash.split('?')[1] ?? '').get('date') ?? today(home);
  const dateForm = el(
    'form',
    { class: 'inline', id: 'apt-date-form' },
    el('label', { for: 'apt-date' }, ...bi('预约日期', 'Appointments of')),
    el('input', { id: 'apt-date', type: 'date', value: date, required: true }),
    el('button', { type: 'submit', class: 'secondary' }, ...bi('查看', 'Show')),
  );
  dateForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `services?date=${dateForm.querySelector('#apt-date').value}`;
  });
  const officeBoxes = offices.map((o) => {
    const box = el('div', { class: 'appointments' });
    void appointmentsBox(box, o, date, ctx).catch(ctx.flashError);
    return el(
      'section',
      { class: 'card' },
      el('h2', {}, o.name.zh, ' ', el('span', { class: 'muted' }, `${o.hours.zh} · ${o.phone}`)),
      box,
    );
  });
  view.replaceChildren(
    el('h1', {}, ...bi('办事服务', 'Service matters')),
    el(
      'section',
      { class: 'card' },
      table(
        `事项目录（${matters.length} 项） Catalogue`,
        ['事项 Matter', '首字母 Initials', '类别 Category', '材料 Materials', '预约 Bookable', ''],
        matters.map((m) => [
          m.name.zh,
          m.initials,
          catName.get(m.categoryId) ?? m.categoryId,
          `${m.materials.length} 项`,
          m.bookable ? '✔ 可预约 yes' : '— 否 no',
          el(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'aria-label': `编辑 Edit ${m.name.zh}`,
              onclick: () => {
                editor.replaceChildren(matterForm(m, categories, ctx));
                editor.hidden = false;
                editor.scrollIntoView();
              },
            },
            ...bi('编辑', 'Edit'),
          ),
        ]),
      ),
    ),
    editor,
    el('h2', {}, ...bi('预约', 'Appointments')),
    dateForm,
    ...officeBoxes,
  );
}
