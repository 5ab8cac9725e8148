// Editing a notice in the composer: its latest revision fills the form; saving is PUT with that revision (an
// edit of a published notice goes back for approval while the approved version keeps playing).
import { call, post } from './api.js';
import { imageItem, windowRow } from './notice-composer-parts.js';
import { isoToWall } from './wall-time.js';

/** Fills the composer form `f` with notice `n`'s content; times on the clock of its first target. */
export function fillComposer(f, n, zoneOf) {
  const c = n.content;
  const zone = zoneOf(c.targets.nodeIds[0]);
  const set = (id, v) => {
    f.querySelector(`#${id}`).value = v ?? '';
  };
  set('n-title', c.title.zh);
  set('n-title-en', c.title.en);
  set('n-body', c.body.zh);
  set('n-body-en', c.body.en);
  set('n-category', c.category);
  set('n-priority', c.priority);
  set('n-display', c.displaySec);
  set('n-ttl', c.emergencyTtlSec);
  set('n-tags', (c.targets.tags ?? []).join(' '));
  const check = (name, values) => {
    for (const i of f.querySelectorAll(`input[name=${name}]`)) i.checked = values.includes(i.value);
  };
  check('n-target', c.targets.nodeIds);
  check('n-role', c.targets.roles ?? []);
  check('n-weekday', (c.schedule.weekdays ?? []).map(String));
  set('n-start', isoToWall(c.schedule.start, zone));
  set('n-end', c.schedule.end ? isoToWall(c.schedule.end, zone) : '');
  set('n-expires', isoToWall(c.expiresAt, zone));
  const windows = f.querySelector('#n-windows');
  windows.replaceChildren();
  for (const w of c.schedule.windows ?? []) {
    windowRow(windows);
    const row = windows.lastElementChild;
    row.querySelector('.win-from').value = w.from;
    row.querySelector('.win-to').value = w.to;
  }
  const images = f.querySelector('#n-images');
  images.replaceChildren(
    ...c.images.map((img) => {
      const li = imageItem({ mediaId: img.mediaId }, img.mediaId.slice(0, 12));
      li.querySelector('.alt-zh').value = img.alt?.zh ?? '';
      li.querySelector('.alt-en').value = img.alt?.en ?? '';
      return li;
    }),
  );
  // The form's own listeners redraw the zone note and the TTL field.
  f.querySelector('input[name=n-target]')?.dispatchEvent(new Event('change', { bubbles: true }));
  f.querySelector('#n-priority').dispatchEvent(new Event('change', { bubbles: true }));
}

/**
 * Saves an edit, then does what "after saving" asks: submit a draft, or (admins) approve the new revision,
 * submitting it first when the edit left it a draft.
 */
export async function saveEdit(editing, draft, then) {
  let r = await call('PUT', `/api/v1/admin/notices/${editing.id}`, { ...draft, revision: editing.revision });
  if ((then === 'submit' || then === 'publish') && r.notice.status === 'draft')
    r = await post(`/api/v1/admin/notices/${editing.id}/submit`, {});
  if (then === 'publish' && r.notice.status === 'pending')
    r = await post(`/api/v1/admin/notices/${editing.id}/approve`, { revision: r.notice.revision });
  return r;
}
