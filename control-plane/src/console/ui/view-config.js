// Device configuration per node (issue 12): what is set on the node, what it inherits and from where, and
// (admins) set or clear each setting. Nodes and devices below inherit it unless they set it themselves;
// the devices concerned are told to fetch their new target at once.
import { call, get } from './api.js';
import { LEVEL, settingsTable } from './config-editor.js';
import { bi, el } from './dom.js';

export async function renderConfig(view, ctx) {
  const { nodes } = await get('/api/v1/admin/nodes');
  const wanted = new URLSearchParams(location.hash.split('?')[1] ?? '').get('node');
  const node =
    nodes.find((n) => n.id === wanted) ?? nodes.find((n) => n.id === ctx.session.admin.nodeId) ?? nodes[0];
  const canWrite = ctx.session.admin.role === 'admin';

  const picker = el(
    'form',
    { class: 'inline', id: 'config-node-form' },
    el('label', { for: 'config-node' }, ...bi('节点', 'Node')),
    el(
      'select',
      { id: 'config-node' },
      nodes.map((n) =>
        el(
          'option',
          { value: n.id, selected: n.id === node.id },
          `${n.path.join(' › ')}（${LEVEL[n.level]?.[0] ?? n.level}）`,
        ),
      ),
    ),
    el('button', { type: 'submit' }, ...bi('查看', 'Show')),
  );
  picker.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#config?node=${encodeURIComponent(picker.querySelector('#config-node').value)}`;
  });

  const holder = el('div', { id: 'config-table', class: 'card' });
  const draw = (cfg) => {
    const [zh, en] = LEVEL[cfg.node.level] ?? [cfg.node.level, cfg.node.level];
    holder.replaceChildren(
      settingsTable(
        [
          cfg.node.name,
          ' · ',
          zh,
          ' ',
          el('span', { lang: 'en' }, en),
          ' — ',
          ...bi('设备设置', 'device settings'),
        ],
        cfg.settings,
        {
          prefix: 'node',
          ...(canWrite
            ? {
                put: async (patch, s) => {
                  try {
                    draw(
                      await call(
                        'PUT',
                        `/api/v1/admin/nodes/${encodeURIComponent(cfg.node.id)}/config`,
                        patch,
                      ),
                    );
                    const cleared = Object.values(patch)[0] === null;
                    ctx.flash(
                      cleared
                        ? `已清除，恢复继承 Cleared, inherited again: ${s.label.zh} ${s.label.en}`
                        : `已保存并通知设备 Saved, devices told: ${s.label.zh} ${s.label.en}`,
                    );
                  } catch (err) {
                    ctx.flashError(err);
                  }
                },
                onInvalid: (err) => ctx.flashError(err),
              }
            : {}),
        },
      ),
    );
  };
  draw(await get(`/api/v1/admin/nodes/${encodeURIComponent(node.id)}/config`));

  view.replaceChildren(
    el('h1', {}, ...bi('设备配置', 'Device configuration')),
    el(
      'p',
      { class: 'muted' },
      ...bi(
        '此处的设置由下级节点和其中的设备继承，除非它们自己另有设置；未设置的项沿用上级或默认值。',
        'Nodes and devices below inherit what is set here unless they set it themselves; what is not set here comes from above or the default.',
      ),
    ),
    ...(canWrite
      ? []
      : [el('p', { class: 'muted' }, ...bi('您的账号只能查看。', 'Your account can only view.'))]),
    picker,
    holder,
  );
}
