// Screens and navigation. A screen is `render(params, nav) → Node | Promise<Node>` plus an optional spoken
// prompt; params hold everything a screen needs to draw itself again, so switching language or text size
// re-renders the same screen with the same input (digits typed, day chosen) kept.
import { h } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';

const screens = new Map();
let current = { name: 'home', params: {} };
const stack = [];
let token = 0;
const afterRender = new Set();

export function register(name, screen) {
  screens.set(name, screen);
}

export function currentScreen() {
  return current;
}

/** Called after each render with (name, screenDef, params, {navigated}). */
export function onRender(fn) {
  afterRender.add(fn);
}

export function go(name, params = {}) {
  stack.push(current);
  current = { name, params };
  return draw(true);
}

export function replace(name, params = {}) {
  current = { name, params };
  return draw(true);
}

export function back() {
  current = stack.pop() ?? { name: 'home', params: {} };
  return draw(true);
}

let homeHook = () => {};

/** Runs whenever the resident goes home (stops speech, tells the device to forget the card read). */
export function setHomeHook(fn) {
  homeHook = fn;
}

export function home() {
  homeHook();
  stack.length = 0;
  current = { name: 'home', params: {} };
  return draw(true);
}

/** Draw the current screen again (language change, live update); the spoken prompt is not repeated. */
export function refresh() {
  return draw(false);
}

export const nav = { go, replace, back, home, refresh };

async function draw(navigated) {
  const my = ++token;
  const main = document.getElementById('screen');
  const def = screens.get(current.name);
  if (!def) throw new Error(`no screen ${current.name}`);
  document.body.dataset.screen = current.name;
  document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
  let node = def.render(current.params, nav);
  if (node instanceof Promise) {
    if (navigated) main.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('loading'), '…'));
    try {
      node = await node;
    } catch (err) {
      node = h('p', { role: 'alert' }, String(err?.message ?? err));
    }
  }
  if (my !== token) return;
  main.replaceChildren(node);
  if (navigated) main.scrollTop = 0;
  for (const fn of afterRender) fn(current.name, def, current.params, { navigated });
}
