// The master register of issued diplomas (sổ gốc cấp văn bằng, chứng chỉ), imported from CSV, looked up by the
// specialist checking a diploma-copy request.
import { index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

export const masterRegisterEntries = pgTable('master_register_entries', {
  id: uuid('id').primaryKey().defaultRandom(),
  diplomaType: text('diploma_type').notNull(),
  holderName: text('holder_name').notNull(),
  /** Lower-case, no diacritics, single spaces: what lookups compare (registers and requests spell names differently). */
  holderKey: text('holder_key').notNull(),
  holderBirthDate: text('holder_birth_date').notNull(),
  school: text('school').notNull(),
  graduationYear: integer('graduation_year').notNull(),
  registerBookNumber: text('register_book_number').notNull(),
  entryNumber: text('entry_number').notNull(),
  diplomaNumber: text('diploma_number').notNull(),
  issuedDate: text('issued_date').notNull(),
  classification: text('classification'),
  createdAt: createdAt(),
}, (t) => [
  // Re-importing the same file updates rather than duplicates.
  uniqueIndex('master_register_diploma_uq').on(t.diplomaType, t.diplomaNumber),
  index('master_register_holder_idx').on(t.holderKey, t.holderBirthDate),
]);
