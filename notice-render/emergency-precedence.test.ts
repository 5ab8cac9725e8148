import { describe, expect, it } from 'vitest';
import { byEmergencyPrecedence, emergencyPrecedence, winningEmergency } from './emergency-precedence.js';

const e = (id: string, seq: number) => ({ noticeId: `ntc_${id}`, seq });

describe('emergency precedence (one rule for lobby page, LED sign and kiosk)', () => {
  // [live emergencies in the order they arrive] → the one that shows. No severity in the protocol: newest
  // seq wins (an issue or a renewal), the notice id breaks a tie so every device picks the same one.
  const table: [string, ReturnType<typeof e>[], string | undefined][] = [
    ['none live', [], undefined],
    ['one live', [e('A', 4)], 'ntc_A'],
    ['newer second', [e('A', 4), e('B', 9)], 'ntc_B'],
    ['newer first', [e('B', 9), e('A', 4)], 'ntc_B'],
    ['the older one renewed (higher seq)', [e('A', 12), e('B', 9)], 'ntc_A'],
    ['three, newest in the middle', [e('A', 1), e('C', 30), e('B', 2)], 'ntc_C'],
    ['same seq: lower notice id', [e('Z', 5), e('M', 5)], 'ntc_M'],
    ['same seq, other order', [e('M', 5), e('Z', 5)], 'ntc_M'],
  ];
  for (const [name, live, shown] of table) {
    it(`${name} → ${shown ?? 'nothing'}`, () => {
      expect(winningEmergency(live)?.noticeId).toBe(shown);
      // The ordered list agrees with the winner, for every starting order.
      expect(byEmergencyPrecedence(live)[0]?.noticeId).toBe(shown);
      expect(byEmergencyPrecedence([...live].reverse())[0]?.noticeId).toBe(shown);
    });
  }

  it('is a total order: antisymmetric, and sorting does not touch the input', () => {
    const list = [e('A', 3), e('B', 1), e('C', 3), e('D', 2)];
    for (const a of list)
      for (const b of list) {
        expect(Math.sign(emergencyPrecedence(a, b)) + Math.sign(emergencyPrecedence(b, a))).toBe(0);
      }
    const copy = [...list];
    expect(byEmergencyPrecedence(list).map((x) => x.noticeId)).toEqual(['ntc_A', 'ntc_C', 'ntc_D', 'ntc_B']);
    expect(list).toEqual(copy);
  });
});
