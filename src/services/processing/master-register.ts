// The master register (sổ gốc): CSV import and the specialist's lookup, which pre-fills the register check.
// Many old registers are still on paper: no match is a normal outcome, and the specialist then types the details
// from the paper book (or refuses with a reason). Which forms the lookup fills is decided here, from the forms'
// fields (a "register check" declares every field a register entry fills), never by procedure id.
import { parse } from 'csv-parse/sync';
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { findByDiplomaNumber, findByHolder, upsertRegisterEntries, type NewRegisterEntry, type RegisterEntryRow } from '../../db/repositories/registers.js';
import { AppError } from '../../errors.js';
import { holderKey, registerRowSchema, toEntry } from '../../registers/register-row.js';
import type { FormDef } from '../../workflow/types.js';
import { loadDossierFor, type Caller } from '../access.js';

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

/** The fields a register entry fills (prefillOf); a form declaring all of them is a register check. */
const REGISTER_CHECK_FIELDS = ['registerBookNumber', 'entryNumber', 'diplomaNumber', 'issuedDate'] as const;

/** Whether the lookup pre-fills this form. */
export function isRegisterCheck(form: FormDef | null | undefined): boolean {
  return form !== null && form !== undefined && REGISTER_CHECK_FIELDS.every((name) => form.fields.some((f) => f.name === name));
}

/** Looks a dossier's diploma up: by diploma number when given, else by holder, birth date and type. */
export async function lookupForDossier(ctx: AppContext, code: string, caller: Caller): Promise<RegisterLookup> {
  if (caller.kind !== 'staff') throw new AppError('FORBIDDEN', 'Chỉ cán bộ xử lý hồ sơ được tra cứu sổ gốc.');
  const { dossier } = await loadDossierFor(ctx, code, caller, 'act');
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  if (!Object.values(definition.forms).some(isRegisterCheck)) throw new AppError('NOT_FOUND', 'Thủ tục này không tra cứu sổ gốc.');
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

/** How a register check was pre-filled: from the single match, or not (several people matched, or nobody). */
export interface RegisterPrefill { values: Record<string, string>; outcome: 'filled' | 'several' | 'none'; matches: number }

/**
 * The register-check pre-fill for each of these actions (those the caller may take now) whose form the lookup fills,
 * by action name; empty when none does. A failed lookup pre-fills nothing: the specialist types the details.
 */
export async function registerPrefills(
  ctx: AppContext, code: string, caller: Caller, actions: ReadonlyArray<{ name: string; form: FormDef | null }>,
): Promise<Record<string, RegisterPrefill>> {
  const checks = actions.filter((a) => isRegisterCheck(a.form));
  if (checks.length === 0) return {};
  const lookup = await lookupForDossier(ctx, code, caller).catch(() => null);
  if (!lookup) return {};
  const prefill: RegisterPrefill = {
    values: lookup.prefill ?? {}, matches: lookup.matches.length,
    outcome: lookup.prefill ? 'filled' : lookup.matches.length > 1 ? 'several' : 'none',
  };
  return Object.fromEntries(checks.map((a) => [a.name, prefill]));
}
