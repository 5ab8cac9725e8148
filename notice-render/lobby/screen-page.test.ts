import { describe, expect, it } from 'vitest';
import type { Notice } from '../../protocol/schemas/notice.js';
import { buildPlayState } from '../../signage/src/play-state.js';
import { renderScreenPage } from './screen-page.js';
import { isTickerNotice, screenState } from './screen-state.js';

const notice = (
  id: string,
  priority: Notice['priority'],
  start: string,
  extra: Partial<Notice> = {},
): Notice => ({
  id: `ntc_01JDQ00000000000000000000${id}`,
  version: 1,
  title: { zh: `标题${id}` },
  body: { zh: '这是一条比较长的通知正文，用来说明停水的时间、范围以及居民需要提前准备的事项。' },
  category: 'general',
  priority,
  images: [],
  schedule: { start },
  expiresAt: '2026-12-31T00:00:00Z',
  displaySec: 15,
  ...extra,
});

const ctx = {
  deviceId: 'dev_01JDQ0000000000000000000AB',
  community: { name: '幸福里社区', path: ['邻里市', '幸福里社区'], timezone: 'Asia/Shanghai' },
};
const now = Date.parse('2026-11-27T10:00:00Z');
const play = (notices: Notice[], extra: Partial<Parameters<typeof buildPlayState>[0]> = {}) =>
  buildPlayState({
    notices,
    isComplete: () => true,
    quarantined: () => false,
    emergencies: [],
    timeZone: 'Asia/Shanghai',
    now,
    mediaUrl: (sha) => `/screen/media/${sha}`,
    ...extra,
  });

describe('what the screen shows', () => {
  it('plays what is scheduled now, in priority order; incomplete, quarantined and emergency notices stay out', () => {
    const list = [
      notice('A', 'normal', '2026-11-27T09:00:00Z'),
      notice('B', 'normal', '2026-11-27T09:30:00Z'),
      notice('C', 'important', '2026-11-26T09:00:00Z'),
      notice('D', 'normal', '2026-11-28T09:00:00Z'),
      notice('E', 'emergency', '2026-11-20T09:00:00Z'),
      notice('F', 'normal', '2026-11-20T09:00:00Z'),
      notice('G', 'normal', '2026-11-20T09:00:00Z'),
    ];
    const s = play(list, {
      isComplete: (n) => n.id !== list[5]!.id,
      quarantined: (id) => id === list[6]!.id,
    });
    expect(s.notices.map((n) => n.title.zh)).toEqual(['标题C', '标题B', '标题A']);
  });

  it('renders notice text as text: markup in a title cannot reach the page as HTML', () => {
    const evil = notice('X', 'normal', '2026-11-27T09:00:00Z', {
      title: { zh: '<script>alert(1)</script>', en: '</script><img src=x onerror=alert(1)>' },
    });
    const html = renderScreenPage(screenState(ctx, play([evil])));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const embedded = html.slice(html.indexOf('id="initial-state"'));
    expect(embedded.slice(0, embedded.indexOf('</script>'))).not.toContain('</script');
  });

  it('puts short notices in the ticker, shows an idle screen when empty, and the takeover when an emergency is on', () => {
    const short = notice('S', 'normal', '2026-11-27T09:00:00Z', {
      title: { zh: '今晚停电' },
      body: { zh: '20:00 至 22:00。' },
    });
    expect(isTickerNotice(play([short]).notices[0]!)).toBe(true);
    const html = renderScreenPage(screenState(ctx, play([short])));
    expect(html).toMatch(/class="ticker-track" id="ticker"><span class="item"/);
    expect(html).toContain('暂无通知');
    const calm = renderScreenPage(screenState(ctx, play([])));
    expect(calm).toContain('幸福里社区');
    expect(calm).toMatch(/<footer class="bar ticker" hidden>/);
    expect(calm).toMatch(/<section id="takeover" class="takeover" hidden/);
    const alarm = renderScreenPage(
      screenState(
        ctx,
        play([], {
          emergencies: [
            {
              noticeId: 'ntc_01JDQ0000000000000000000EM',
              version: 1,
              seq: 7,
              title: { zh: '燃气泄漏' },
              body: { zh: '请立即撤离' },
              category: 'safety',
              remainingMs: 60_000,
              expiresAt: '2026-11-27T10:01:00Z',
            },
          ],
        }),
      ),
    );
    expect(alarm).toContain('<body class="emergency">');
    expect(alarm).toContain('燃气泄漏');
    expect(alarm).not.toMatch(/<section id="takeover" class="takeover" hidden/);
  });

  it('with two live emergencies the newest shows: first in the state the page plays, and in the page itself', () => {
    const live = (id: string, seq: number, title: string) => ({
      noticeId: `ntc_01JDQ0000000000000000000${id}`,
      version: 1,
      seq,
      title: { zh: title },
      body: { zh: '请按指引行动' },
      category: 'safety' as const,
      remainingMs: 60_000,
      expiresAt: '2026-11-27T10:01:00Z',
    });
    // The device's source lists the older one first.
    const s = play([], { emergencies: [live('E1', 3, '燃气泄漏'), live('E2', 8, '暴雨红色预警')] });
    expect(s.emergencies.map((e) => e.seq)).toEqual([8, 3]);
    const html = renderScreenPage(screenState(ctx, s));
    const takeover = html.slice(html.indexOf('<section id="takeover"'));
    expect(takeover).toContain('暴雨红色预警');
    expect(takeover.slice(0, takeover.indexOf('</section>'))).not.toContain('燃气泄漏');
  });
});
