// The personal ID number (số định danh cá nhân, the number of the chip ID card and of VNeID): 12 digits. One pattern
// for every boundary that takes one (the provider's claims, intake forms, filing for someone, the citizen's space and
// store, a remote-signing holder), so no boundary accepts what another refuses.
import { z } from 'zod';

export const PERSONAL_ID = /^\d{12}$/;

export const PERSONAL_ID_MESSAGE = 'Số định danh cá nhân gồm 12 chữ số.';

export function isPersonalId(value: string): boolean {
  return PERSONAL_ID.test(value);
}

/** A personal ID number typed or sent (surrounding spaces dropped); `message` where a boundary words it its own way. */
export function personalIdSchema(message = PERSONAL_ID_MESSAGE) {
  return z.string().trim().regex(PERSONAL_ID, message);
}
