/**
 * What every kiosk screen must pass (issue #6): axe with WCAG 2 A, AA and AAA rules (so enhanced contrast,
 * 7:1), every visible interactive element at least 60×60 px, every visible text at least 24 px; and a
 * screenshot at the viewport it is shown in.
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS, LANDSCAPE, PORTRAIT, type TouchPage } from './kiosk-ui-world.js';

export interface DomProblem {
  what: string;
  text: string;
  size: string;
}

/** Runs in the page: visible controls smaller than 60×60 px, visible text smaller than 24 px. */
const DOM_CHECK = `(() => {
  const problems = [];
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || Number(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = (el) => (el.textContent || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 40);
  for (const el of document.querySelectorAll('button, a[href], input, select, textarea, [role="button"], [tabindex]:not([tabindex="-1"])')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 59.5 || r.height < 59.5) problems.push({ what: 'target', text: label(el), size: Math.round(r.width) + 'x' + Math.round(r.height) });
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || !visible(el) || el.closest('script, style, svg')) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < 23.5) problems.push({ what: 'text', text: n.textContent.trim().slice(0, 40), size: px + 'px' });
  }
  return problems;
})()`;

export async function domProblems(page: Page): Promise<DomProblem[]> {
  return (await page.evaluate(DOM_CHECK)) as DomProblem[];
}

export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag2aaa']);
  if (include) builder.include(include);
  const r = await builder.analyze();
  return r.violations.map(
    (v) =>
      `${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join(' | ')}`,
  );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  // A picture of the screen before its images arrive is not what a resident sees (the receipt preview showed
  // as an empty frame); a broken image counts as arrived, so this never hangs on one.
  await page
    .waitForFunction('[...document.images].every((i) => i.complete)', undefined, { timeout: 5_000 })
    .catch(() => undefined);
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}x${height}.png`) });
}

/** Screens checked in this file, with how long each check took (printed after the file). */
export const checkedScreens: string[] = [];

/**
 * Sizes and a screenshot in landscape and in portrait, axe once (the rules do not depend on the layout, and
 * axe is the slow part). `clock`: the page's clock is paused by the test; axe needs its timers to run.
 * Failures are soft, so one run lists every screen's problems.
 */
export async function checkScreen(
  p: TouchPage,
  name: string,
  clock = false,
  include?: string,
): Promise<void> {
  const t0 = Date.now();
  for (const vp of [LANDSCAPE, PORTRAIT]) {
    await p.page.setViewportSize(vp);
    if (!clock)
      await p.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await screenshot(p.page, name);
    expect.soft(await domProblems(p.page), `sizes on ${name} ${vp.width}x${vp.height}`).toEqual([]);
  }
  // axe needs the page's timers; the page's idle logic must not see time pass meanwhile: the clock shows a
  // fixed time while timers run, then pauses again (setSystemTime lifts the fixed time).
  const now = clock ? ((await p.page.evaluate('Date.now()')) as number) : 0;
  if (clock) {
    await p.page.clock.setFixedTime(now);
    await p.page.clock.resume();
  }
  const axe = axeViolations(p.page, include);
  await axe.catch(() => undefined);
  if (clock) {
    await p.page.clock.pauseAt(now + 10);
    await p.page.clock.setSystemTime(now + 10);
  }
  expect.soft(await axe, `axe on ${name}`).toEqual([]);
  checkedScreens.push(`${name} ${Date.now() - t0}ms`);
}

/**
 * Records every text `selector` shows from now on, for "never said, not even for a frame" checks: a
 * MutationObserver runs before the next paint, so a state that was on screen for one frame is in the list.
 * Returns a reader of the list (each entry differs from the one before).
 */
export async function recordTexts(page: Page, selector: string): Promise<() => Promise<string[]>> {
  const name = `__texts_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(`(() => {
    const seen = (window[${JSON.stringify(name)}] = []);
    const note = () => {
      const text = document.querySelector(${JSON.stringify(selector)})?.textContent ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  return async () => (await page.evaluate(`window[${JSON.stringify(name)}]`)) as string[];
}
