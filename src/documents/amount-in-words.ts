// An amount of đồng written out in Vietnamese, as receipts and invoices print it under the figures ("Số tiền bằng
// chữ"): 150000 → "Một trăm năm mươi nghìn đồng". Groups of three digits read hundreds, tens and units with the
// usual sound changes (mốt, tư, lăm, linh, mười); a group after a higher one reads its zero hundreds ("một triệu
// không trăm linh năm nghìn"); whole zero groups are skipped; every nine digits start again under "tỷ".
const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'] as const;
const SCALES = ['', 'nghìn', 'triệu'] as const;

/** One group of three digits (0 < n < 1000); `afterHigher`: a higher group was read, so leading zeros are spoken. */
function readGroup(n: number, afterHigher: boolean): string[] {
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor((n % 100) / 10);
  const units = n % 10;
  const words: string[] = [];
  if (hundreds > 0 || afterHigher) words.push(DIGITS[hundreds]!, 'trăm');
  if (tens === 0) {
    if (units > 0 && words.length > 0) words.push('linh');
  } else if (tens === 1) {
    words.push('mười');
  } else {
    words.push(DIGITS[tens]!, 'mươi');
  }
  if (units > 0) {
    if (units === 1 && tens >= 2) words.push('mốt');
    else if (units === 4 && tens >= 2) words.push('tư');
    else if (units === 5 && tens >= 1) words.push('lăm');
    else words.push(DIGITS[units]!);
  }
  return words;
}

/** Below one billion (tỷ): up to three groups. */
function readBelowBillion(n: number, afterHigher: boolean): string[] {
  const words: string[] = [];
  let spoken = afterHigher;
  for (let scale = 2; scale >= 0; scale--) {
    const group = Math.floor(n / 1000 ** scale) % 1000;
    if (group === 0) continue;
    words.push(...readGroup(group, spoken));
    if (SCALES[scale]) words.push(SCALES[scale]!);
    spoken = true;
  }
  return words;
}

function readNumber(n: number, afterHigher = false): string[] {
  if (n < 1e9) return readBelowBillion(n, afterHigher);
  const billions = Math.floor(n / 1e9);
  const rest = n % 1e9;
  return [...readNumber(billions, afterHigher), 'tỷ', ...(rest > 0 ? readBelowBillion(rest, true) : [])];
}

/** A non-negative whole number of đồng in words, capitalised, ending in "đồng". */
export function amountInWords(amount: number): string {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`not a whole, non-negative amount: ${amount}`);
  const words = amount === 0 ? ['không'] : readNumber(amount);
  const text = `${words.join(' ')} đồng`;
  return text.charAt(0).toLocaleUpperCase('vi-VN') + text.slice(1);
}

/** 150000 → "150.000" (Vietnamese thousands separator). */
export function formatAmount(amount: number): string {
  return String(Math.trunc(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
