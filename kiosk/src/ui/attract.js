// The attract loop: after settings.attract.afterSec idle on the home screen, the community's current notices
// play full screen like the lobby signage; the first touch stops it (and does nothing else).
import { h, put } from './dom.js';
import { t, tx } from './i18n.js';
import { icon } from './icons.js';
import { loadNotices } from './screen-notices.js';
import { state } from './state.js';

let running = false;
let timer;
let slides = [];
let index = 0;

function box() {
  return document.getElementById('attract');
}

function show() {
  const n = slides[index % slides.length];
  index++;
  const b = box();
  put(
    b,
    h('p', { class: 'attract-community' }, state.settings.communityName || t('title')),
    n
      ? h(
          'div',
          { class: 'attract-slide', 'data-notice': n.id },
          h('h1', { class: 'attract-title' }, tx(n.title)),
          h('p', { class: 'attract-body' }, tx(n.body)),
        )
      : h('div', { class: 'attract-slide' }, h('h1', { class: 'attract-title' }, t('welcome'))),
    h('p', { class: 'attract-hint' }, icon('info'), h('span', {}, t('touchToStart'))),
  );
  timer = setTimeout(show, Math.max(5, n?.displaySec ?? 10) * 1000);
}

export async function startAttract() {
  if (running) return;
  running = true;
  try {
    slides = await loadNotices();
  } catch {
    slides = [];
  }
  if (!running) return;
  index = 0;
  box().hidden = false;
  document.body.classList.add('attracting');
  show();
}

/** Stops the loop; true when it was running (the touch that stopped it does nothing else). */
export function stopAttract() {
  if (!running) return false;
  running = false;
  clearTimeout(timer);
  box().hidden = true;
  box().replaceChildren();
  document.body.classList.remove('attracting');
  return true;
}
