// Temporary passwords an administrator hands over (read out, or written on paper): four groups of four characters
// from an alphabet without look-alikes (no 0/o, 1/l/i), about 79 bits of randomness. The account must change it at
// its first sign-in (staff_accounts.must_change_password), so it is shown once and never stored in clear.
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_LENGTH = 4;

export function temporaryPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g += 1) {
    let group = '';
    for (let c = 0; c < GROUP_LENGTH; c += 1) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}
