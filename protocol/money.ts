/** Formats integer fen as yuan with two decimals, e.g. 12345 → "123.45". No floats are involved. */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount must be an integer number of fen, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${yuan}.${cents}`;
}

/** Masks an account number, keeping the last four characters: "310104123456" → "********3456". */
export function maskAccount(account: string): string {
  if (account.length <= 4) return '*'.repeat(account.length);
  return '*'.repeat(account.length - 4) + account.slice(-4);
}
