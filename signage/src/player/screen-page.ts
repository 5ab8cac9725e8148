import type { NoticeCategory } from '../../../protocol/schemas/notice.js';
import type { ScreenNotice, ScreenState } from './screen-state.js';

export const CATEGORY_LABEL: Record<NoticeCategory, { zh: string; en: string }> = {
  general: { zh: '通知', en: 'Notice' },
  utility: { zh: '水电气', en: 'Utilities' },
  safety: { zh: '安全', en: 'Safety' },
  event: { zh: '活动', en: 'Event' },
  civic: { zh: '社区事务', en: 'Community' },
  election: { zh: '选举', en: 'Election' },
};

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON inside <script>: `<` escaped so notice text can never close the script element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function noticeHtml(n: ScreenNotice, active: boolean): string {
  const cat = CATEGORY_LABEL[n.category];
  const en = (s: string | undefined, tag: string, cls: string) =>
    s ? `<${tag} class="${cls}" lang="en">${escapeHtml(s)}</${tag}>` : '';
  return `<article class="notice priority-${n.priority}${active ? ' active' : ''}" data-id="${escapeHtml(n.id)}" data-version="${n.version}">
  <div class="tag"><span lang="zh">${cat.zh}</span> <span lang="en">${cat.en}</span></div>
  <h1 class="title" lang="zh">${escapeHtml(n.title.zh)}</h1>
  ${en(n.title.en, 'h2', 'title-en')}
  <p class="body" lang="zh">${escapeHtml(n.body.zh)}</p>
  ${en(n.body.en, 'p', 'body-en')}
</article>`;
}

/**
 * The lobby page, rendered on the server with the verified notices already in it (readable without
 * JavaScript and over plain HTTP); player.js then keeps it current over /screen/ws without reloading.
 */
export function renderScreenPage(state: ScreenState, assetBase = '/screen'): string {
  const items = state.notices.map((n, i) => noticeHtml(n, i === 0)).join('\n');
  const index = state.notices
    .map((n, i) => `<li${i === 0 ? ' class="active"' : ''} lang="zh">${escapeHtml(n.title.zh)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(state.community.name)} · 社区公告 Community notices</title>
<link rel="stylesheet" href="${assetBase}/player.css">
</head>
<body>
<header class="bar">
  <div class="community"><span class="name">${escapeHtml(state.community.name)}</span>
    <span class="label"><span lang="zh">社区公告</span> <span lang="en">Community notices</span></span></div>
  <div class="clock" id="clock" data-timezone="${escapeHtml(state.community.timezone)}"></div>
</header>
<main id="notices" aria-live="polite">
${items}
  <section class="empty"${state.notices.length ? ' hidden' : ''}><p lang="zh">暂无通知</p><p lang="en">No notices</p></section>
</main>
<footer class="bar">
  <ol id="index">${index}</ol>
  <span id="link" class="link ok"><span lang="zh">在线</span> <span lang="en">Online</span></span>
</footer>
<script id="initial-state" type="application/json">${scriptJson(state)}</script>
<script type="module" src="${assetBase}/player.js"></script>
</body>
</html>
`;
}
