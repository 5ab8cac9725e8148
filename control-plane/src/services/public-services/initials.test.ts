import { describe, expect, it } from 'vitest';
import { pinyinInitials } from './initials.js';

describe('pinyinInitials', () => {
  it('gives the initials the kiosk search matches, polyphones read in context', () => {
    expect(pinyinInitials('老年人优待证办理')).toBe('LNRYDZBL');
    expect(pinyinInitials('最低生活保障申请')).toBe('ZDSHBZSQ');
    expect(pinyinInitials('重庆银行')).toBe('CQYH');
    expect(pinyinInitials('居住证申领（首次）')).toBe('JZZSLSC');
    expect(pinyinInitials('60岁以上老人')).toBe('60SYSLR');
  });

  it('drops punctuation and caps the length at 64', () => {
    expect(pinyinInitials('——《》')).toBe('');
    expect(pinyinInitials('办'.repeat(100))).toHaveLength(64);
  });
});
