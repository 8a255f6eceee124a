// One master-register row as files give it (the import CSV, the demo data) and the entry it is stored as.
import { z } from 'zod';
import type { NewRegisterEntry } from '../db/repositories/registers.js';

/** Lower-case, no diacritics (đ → d), single spaces: registers and requests spell names differently. */
export function holderKey(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().replace(/\s+/g, ' ').trim();
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày phải dạng yyyy-mm-dd');
export const registerRowSchema = z.object({
  diplomaType: z.enum(['thcs', 'thpt', 'gdtx', 'certificate']),
  holderName: z.string().trim().min(1).max(100),
  holderBirthDate: day,
  school: z.string().trim().min(1).max(200),
  graduationYear: z.coerce.number().int().min(1945).max(2100),
  registerBookNumber: z.string().trim().min(1).max(50),
  entryNumber: z.string().trim().min(1).max(50),
  diplomaNumber: z.string().trim().min(1).max(50),
  issuedDate: day,
  classification: z.string().trim().max(50).optional().transform((v) => (v ? v : undefined)),
});
export type RegisterRow = z.infer<typeof registerRowSchema>;

export function toEntry(row: RegisterRow): NewRegisterEntry {
  const holderName = row.holderName.normalize('NFC');
  return { ...row, holderName, school: row.school.normalize('NFC'), holderKey: holderKey(holderName), classification: row.classification ?? null };
}
