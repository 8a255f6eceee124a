// The master register (sổ gốc): CSV import and the specialist's lookup, which pre-fills the register check.
// Many old registers are still on paper: no match is a normal outcome, and the specialist then types the details
// from the paper book (or refuses with a reason).
import { parse } from 'csv-parse/sync';
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { findByDiplomaNumber, findByHolder, upsertRegisterEntries, type NewRegisterEntry, type RegisterEntryRow } from '../../db/repositories/registers.js';
import { AppError, dossierNotFound } from '../../errors.js';
import { holderKey, registerRowSchema, toEntry } from '../../registers/register-row.js';
import { actorForDossier, type Caller } from '../access.js';

export interface ImportOutcome { imported: number; errors: Array<{ line: number; message: string }> }

/**
 * CSV with a header row naming the columns of registerRowSchema (registers/register-row.ts; any order; UTF-8, BOM
 * allowed). Every row is checked first; with any bad row nothing is imported and each problem is reported with its
 * line number.
 */
export async function importRegisterCsv(db: Db, csv: string | Buffer): Promise<ImportOutcome> {
  const records = parse(csv, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  const errors: ImportOutcome['errors'] = [];
  const rows: NewRegisterEntry[] = [];
  records.forEach((record, i) => {
    const parsed = registerRowSchema.safeParse(record);
    if (parsed.success) rows.push(toEntry(parsed.data));
    else errors.push({ line: i + 2, message: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') });
  });
  if (errors.length > 0) return { imported: 0, errors };
  return { imported: await upsertRegisterEntries(db, rows), errors };
}

export interface RegisterLookup {
  matches: Array<RegisterEntryRow & { prefill: Record<string, string> }>;
  /** The register_check form filled from the single best match; null when nothing (or several people) matched. */
  prefill: Record<string, string> | null;
}

function prefillOf(e: RegisterEntryRow): Record<string, string> {
  return {
    registerBookNumber: e.registerBookNumber, entryNumber: e.entryNumber, diplomaNumber: e.diplomaNumber, issuedDate: e.issuedDate,
    ...(e.classification ? { classification: e.classification } : {}), registerSource: 'register',
  };
}

/** Looks a diploma-copy dossier's diploma up: by diploma number when given, else by holder, birth date and type. */
export async function lookupForDossier(ctx: AppContext, code: string, caller: Caller): Promise<RegisterLookup> {
  const dossier = await dossiers.findDossierByCode(ctx.db, code);
  if (!dossier) throw dossierNotFound();
  if (caller.kind !== 'staff') throw new AppError('FORBIDDEN', 'Chỉ cán bộ xử lý hồ sơ được tra cứu sổ gốc.');
  await actorForDossier(ctx.db, ctx.secret, dossier, caller, 'act');
  if (dossier.procedureId !== 'diploma-copy') throw new AppError('NOT_FOUND', 'Thủ tục này không tra cứu sổ gốc.');
  const f = dossier.formData;
  const type = String(f.diplomaType ?? '');
  let matches: RegisterEntryRow[] = [];
  if (typeof f.diplomaNumber === 'string' && f.diplomaNumber.trim() !== '') {
    const hit = await findByDiplomaNumber(ctx.db, type, f.diplomaNumber.trim());
    // A number that belongs to someone else is not a match: fall back to the holder.
    if (hit && hit.holderKey === holderKey(String(f.holderName ?? ''))) matches = [hit];
  }
  if (matches.length === 0) {
    matches = await findByHolder(ctx.db, { holderKey: holderKey(String(f.holderName ?? '')), birthDate: String(f.holderBirthDate ?? ''), diplomaType: type });
    const year = Number(f.graduationYear);
    const sameYear = matches.filter((m) => m.graduationYear === year);
    if (sameYear.length > 0) matches = sameYear;
  }
  return { matches: matches.map((m) => ({ ...m, prefill: prefillOf(m) })), prefill: matches.length === 1 ? prefillOf(matches[0]!) : null };
}
