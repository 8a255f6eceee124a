// An amount of money typed by staff (desk payments, refunds), in đồng.
import { z } from 'zod';

/**
 * A whole number of đồng: a JSON number, or the text of one as a page's form sends it; never `true` or `[1]`, which
 * z.coerce reads as 1 (a JSON body `{"amount": true}` once recorded a refund of 1 đồng).
 */
export function amountInDong(missing: string) {
  return z.union([z.number(), z.string().trim().min(1).transform(Number)], { error: missing })
    .pipe(z.number({ error: missing }).int({ error: 'Số tiền là số nguyên (đồng).' }));
}
