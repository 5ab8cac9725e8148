import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../protocol/schemas/notice.js';
import { activeNotices } from '../notice-order.js';
import { renderScreenPage } from './screen-page.js';
import { buildScreenState } from './screen-state.js';

const base = {
  type: 'linli.notice/v1',
  version: 1,
  body: { zh: '内容' },
  category: 'general',
  targets: { nodeIds: ['node_01JDQ0000000000000000000AB'] },
} as const;
const notice = (id: string, priority: Notice['priority'], publishedAt: string, extra: Partial<Notice> = {}) =>
  ({
    ...base,
    id: `ntc_01JDQ00000000000000000000${id}`,
    title: { zh: id },
    priority,
    publishedAt,
    ...extra,
  }) as Notice;

const ctx = {
  deviceId: 'dev_01JDQ0000000000000000000AB',
  community: { name: '幸福里社区', path: ['邻里市', '幸福里社区'], timezone: 'Asia/Shanghai' },
};

describe('what the screen shows', () => {
  it('orders emergency, important, normal, newest first, and drops expired notices', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const list = [
      notice('A', 'normal', '2026-11-27T09:00:00Z'),
      notice('B', 'normal', '2026-11-27T09:30:00Z'),
      notice('C', 'important', '2026-11-26T09:00:00Z'),
      notice('D', 'emergency', '2026-11-20T09:00:00Z'),
      notice('E', 'emergency', '2026-11-27T08:00:00Z', { expiresAt: '2026-11-27T09:59:59Z' }),
    ];
    expect(activeNotices(list, now).map((n) => n.title.zh)).toEqual(['D', 'C', 'B', 'A']);
  });

  it('renders notice text as text: markup in a title cannot reach the page as HTML', () => {
    const evil = notice('X', 'normal', '2026-11-27T09:00:00Z', {
      title: { zh: '<script>alert(1)</script>', en: '</script><img src=x onerror=alert(1)>' },
    });
    const html = renderScreenPage(buildScreenState(ctx, [evil], 'v1', new Date('2026-11-27T10:00:00Z')));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The embedded state JSON cannot close its own <script> element either.
    const embedded = html.slice(html.indexOf('id="initial-state"'));
    expect(embedded.slice(0, embedded.indexOf('</script>'))).not.toContain('</script');
  });

  it('says so when there is nothing to show', () => {
    const html = renderScreenPage(buildScreenState(ctx, [], undefined, new Date()));
    expect(html).toContain('暂无通知');
    expect(html).toContain('幸福里社区');
  });
});
