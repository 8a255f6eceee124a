// The organisation as administrators keep it: the province and which agency is the Department (settings), the
// agencies with their QCVN 102 codes, the unit tree (a school is an agency of its own with one office unit), the
// import of hundreds of units from CSV/XLSX (all or nothing), and which unit plays each part a workflow names (desk,
// office, leadership) for every procedure or one. Each use-case is one transaction with its audit entry; changes to
// what processes cache (the names; units and unit roles, which intake routes with: services/intake/organisation-cache.ts)
// bump the revision and reload this process after commit; the others reload at their next poll.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import {
  bumpRevision, clearUnitRole, EVERY_PROCEDURE, listUnitRoles, lockOrganisation, readOrganisationSettings, setUnitRole,
  updateOrganisationSettings,
} from '../../db/repositories/administration.js';
import {
  insertAgencies, insertAgency, insertUnit, listAgenciesByCode, listUnits, unitRolesPlayedBy, updateAgency, updateUnit, upsertUnits,
  type NewAgency, type NewUnit,
} from '../../db/repositories/organisation.js';
import { findAgency, findUnit, unitSubtree, type AgencyRow, type UnitRow } from '../../db/repositories/staff.js';
import { UNIT_ROLES, type UnitRole } from '../../db/schema/index.js';
import { AppError, validationFailed } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit } from '../audit/audit.js';
import { UNIT_ROLE_LABELS } from '../procedures/unit-roles.js';
import { administratorOf } from './administrator.js';
import { readTableFile, type TableFile } from './table-file.js';

// ---------------------------------------------------------------- shapes

/** QCVN 102:2016 agency code as the dossier codes carry it: `000.00.12.H56` (the last group: province H56). */
export const AGENCY_CODE_PATTERN = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$';
export const AGENCY_CODE_MESSAGE = 'Mã cơ quan theo QCVN 102:2016 có dạng 000.00.12.H56.';
/**
 * A unit id is part of URLs, workflow data and import files: a lowercase slug. One rule for the set-up, the organisation
 * pages and API and the import; a string, as it doubles as the pages' HTML `pattern` (browsers compile it with the `v`
 * flag, so the hyphen in the class is escaped).
 */
export const UNIT_ID_PATTERN = '^[a-z0-9][a-z0-9\\-]{1,62}$';
export const UNIT_ID_MAX_LENGTH = 63;
export const UNIT_ID_MESSAGE = 'Mã đơn vị gồm 2–63 ký tự: chữ thường không dấu, chữ số và dấu gạch nối (ví dụ thpt-lam-son).';
/**
 * Path segments the administration pages use next to an id (/quan-tri/to-chuc/don-vi/moi, …/nhap,
 * /quan-tri/tuyen-sinh/moi): a unit or campaign with such an id could never be opened.
 */
export const RESERVED_IDS: readonly string[] = ['moi', 'nhap'];
export const reservedIdMessage = (id: string) => `Mã "${id}" trùng với một đường dẫn của trang quản trị; hãy chọn mã khác.`;
/** A unit id as typed: trimmed and lower-cased before the check. */
export const unitIdSchema = z.string({ error: 'Nhập mã đơn vị.' }).trim().toLowerCase()
  .regex(new RegExp(UNIT_ID_PATTERN), { error: UNIT_ID_MESSAGE })
  .refine((id) => !RESERVED_IDS.includes(id), { error: (issue) => reservedIdMessage(String(issue.input)) });
/**
 * Decree 30 abbreviations ("SGDĐT", "THPTCLS"): capitals (Vietnamese ones too), digits, and & . - — one rule for the
 * set-up and the organisation; a string, as it doubles as the pages' HTML `pattern` (hyphen escaped for the `v` flag).
 */
export const ABBREVIATION_PATTERN = '^[\\p{Lu}\\p{N}][\\p{Lu}\\p{N}&.\\-]{0,29}$';
/**
 * An agency code as typed (trimmed), one rule for the set-up and the organisation: not upper-cased, as the code is
 * also the agency's URL (/api/admin/agencies/<code>), where "h56" would name another.
 */
export const agencyCodeSchema = z.string({ error: 'Nhập mã cơ quan.' }).trim()
  .regex(new RegExp(AGENCY_CODE_PATTERN), { error: AGENCY_CODE_MESSAGE });
/** An abbreviation as typed, upper-cased ("sgdđt" → "SGDĐT"). */
export const abbreviationSchema = z.string({ error: 'Nhập chữ viết tắt.' }).trim().toUpperCase()
  .regex(new RegExp(ABBREVIATION_PATTERN, 'u'), { error: 'Chữ viết tắt gồm chữ in hoa và số, tối đa 30 ký tự (ví dụ SGDĐT).' });

/** The API's unit kinds and the stored ones (schema/organisation.ts). */
export const UNIT_KINDS = { leadership: 'board', office: 'division', desk: 'one_stop_desk', school: 'school_office' } as const;
export type UnitKind = keyof typeof UNIT_KINDS;
type StoredUnitKind = UnitRow['kind'];
const KIND_OF_STORED = Object.fromEntries(Object.entries(UNIT_KINDS).map(([k, v]) => [v, k])) as Record<StoredUnitKind, UnitKind>;
export const UNIT_KIND_LABELS: Record<UnitKind, string> = {
  leadership: 'Ban lãnh đạo', office: 'Phòng chuyên môn', desk: 'Bộ phận một cửa', school: 'Văn phòng trường',
};
export const AGENCY_KINDS = ['department', 'school', 'centre'] as const;
export const AGENCY_KIND_LABELS: Record<AgencyRow['kind'], string> = { department: 'Sở', school: 'Trường', centre: 'Trung tâm' };
/** Which stored unit kinds may play each part. */
const ROLE_KINDS: Record<UnitRole, readonly StoredUnitKind[]> = {
  desk: ['one_stop_desk'], office: ['division', 'board'], leadership: ['board'],
};

const text = (label: string, max: number) => z.string({ error: `Nhập ${label}.` }).trim()
  .min(1, { error: `Nhập ${label}.` }).max(max, { error: `${label[0]!.toUpperCase()}${label.slice(1)} dài quá ${max} ký tự.` });
const agencyCode = agencyCodeSchema;
const unitId = unitIdSchema;
const abbreviation = abbreviationSchema;
const unitKind = z.enum(Object.keys(UNIT_KINDS) as [UnitKind, ...UnitKind[]], { error: 'Chọn loại đơn vị: leadership, office, desk hoặc school.' });
const agencyKind = z.enum(AGENCY_KINDS, { error: 'Chọn loại cơ quan: department, school hoặc centre.' });

export const settingsInput = z.object({
  provinceName: text('tên tỉnh, thành phố', 100),
  /**
   * The Department's agency: absent keeps the current one; null leaves it unset, which only a site not yet set up
   * may do (the province can be set first, so the agencies' places default to it).
   */
  departmentAgencyCode: agencyCode.nullable().optional(),
});
export const settingsView = z.object({
  provinceName: z.string(), departmentAgencyCode: z.string().nullable(), departmentName: z.string(), setupCompleted: z.boolean(),
});

export const agencyInput = z.object({
  code: agencyCode,
  name: text('tên cơ quan', 200),
  abbreviation,
  parentCode: agencyCode.optional(),
  parentName: text('tên cơ quan chủ quản', 200).optional(),
  place: text('địa danh', 100).optional(),
  kind: agencyKind.optional(),
});
export const agencyChanges = z.object({
  name: text('tên cơ quan', 200).optional(),
  abbreviation: abbreviation.nullable().optional(),
  parentCode: agencyCode.nullable().optional(),
  parentName: text('tên cơ quan chủ quản', 200).optional(),
  place: text('địa danh', 100).optional(),
  kind: agencyKind.optional(),
});
export const agencyView = z.object({
  code: z.string(), name: z.string(), abbreviation: z.string().nullable(), parentCode: z.string().nullable(),
  parentName: z.string(), place: z.string(), kind: z.enum(AGENCY_KINDS),
});

export const unitInput = z.object({
  id: unitId,
  name: text('tên đơn vị', 200),
  agencyCode,
  kind: unitKind,
  parentId: unitId.optional(),
  abbreviation: abbreviation.optional(),
});
export const unitChanges = z.object({
  name: text('tên đơn vị', 200).optional(),
  agencyCode: agencyCode.optional(),
  kind: unitKind.optional(),
  parentId: unitId.nullable().optional(),
  abbreviation: abbreviation.nullable().optional(),
});
export const unitView = z.object({
  id: z.string(), name: z.string(), agencyCode: z.string(), agencyName: z.string(), kind: unitKind,
  parentId: z.string().nullable(), abbreviation: z.string().nullable(),
  /** 0 for a unit at the top of its agency; the list is in tree order (each unit right after its parent). */
  depth: z.number().int(),
});

/** An import row: a unit, plus `agencyName` to create the school's own agency when its code is new. */
const importRow = unitInput.extend({ agencyName: text('tên cơ quan', 200).optional() });
export const IMPORT_COLUMNS = ['id', 'name', 'agencyCode', 'kind', 'parentId', 'abbreviation', 'agencyName'] as const;
export const MAX_IMPORT_ROWS = 5000;
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** At most this many lines are reported (the message gives the total). */
const MAX_REPORTED_LINES = 200;
export const importResult = z.object({
  imported: z.number().int(), created: z.number().int(), updated: z.number().int(), agenciesCreated: z.number().int(),
});

const roleAssignment = z.object({
  procedureId: z.string().trim().min(1).max(100),
  role: z.enum(UNIT_ROLES, { error: 'Vai trò là desk, office hoặc leadership.' }),
  /** null: the procedure follows the default ('*') again. */
  unitId: unitId.nullable(),
});
export const unitRolesInput = z.object({ items: z.array(roleAssignment).max(1000) });
export const unitRolesView = z.object({
  procedures: z.array(z.object({ id: z.string(), title: z.string() })),
  items: z.array(z.object({ procedureId: z.string(), role: z.enum(UNIT_ROLES), unitId: z.string() })),
});

export type SettingsView = z.infer<typeof settingsView>;
export type AgencyView = z.infer<typeof agencyView>;
export type UnitView = z.infer<typeof unitView>;
export type ImportResult = z.infer<typeof importResult>;
export type UnitRolesView = z.infer<typeof unitRolesView>;

// ---------------------------------------------------------------- helpers

function invalid(fields: Record<string, string>, message = 'Dữ liệu chưa hợp lệ, xem từng trường.'): AppError {
  return new AppError('VALIDATION_FAILED', message, fields);
}

/** Parses with the boundary's schema; a page form's empty inputs count as absent. */
function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const cleaned = input && typeof input === 'object' && !Array.isArray(input)
    ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '' && v !== undefined))
    : input;
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error);
}

const CENTRALLY_GOVERNED_CITIES = ['Hà Nội', 'Hồ Chí Minh', 'Hải Phòng', 'Đà Nẵng', 'Cần Thơ', 'Huế'];

/** Decree 30's governing body of a Department: "Ủy ban nhân dân tỉnh <Tỉnh>", "… thành phố Hà Nội". */
export function provincialCommitteeName(provinceName: string): string {
  if (/^(tỉnh|thành phố)\s/iu.test(provinceName)) return `Ủy ban nhân dân ${provinceName}`;
  const city = CENTRALLY_GOVERNED_CITIES.some((c) => provinceName.endsWith(c));
  return `Ủy ban nhân dân ${city ? 'thành phố' : 'tỉnh'} ${provinceName}`;
}

function toAgencyView(row: AgencyRow): AgencyView {
  return { code: row.code, name: row.name, abbreviation: row.abbreviation, parentCode: row.parentCode, parentName: row.parentName, place: row.place, kind: row.kind };
}

async function afterCommit(ctx: AppContext): Promise<void> {
  await ctx.adminData.changed();
}

// ---------------------------------------------------------------- settings

export async function readSettings(ctx: AppContext, caller: Caller): Promise<SettingsView> {
  administratorOf(caller);
  const settings = await readOrganisationSettings(ctx.db);
  return {
    provinceName: settings.provinceName, departmentAgencyCode: settings.departmentAgencyCode,
    departmentName: ctx.organisation.departmentName, setupCompleted: settings.setupCompletedAt !== null,
  };
}

export async function saveSettings(ctx: AppContext, caller: Caller, input: unknown): Promise<SettingsView> {
  const { actor } = administratorOf(caller);
  const values = parseInput(settingsInput, input);
  await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    const before = await readOrganisationSettings(tx);
    const departmentAgencyCode = values.departmentAgencyCode === undefined ? before.departmentAgencyCode : values.departmentAgencyCode;
    if (!departmentAgencyCode && before.setupCompletedAt) throw invalid({ departmentAgencyCode: 'Chọn cơ quan là Sở: tên Sở là tên của cổng.' });
    if (departmentAgencyCode) {
      const agency = await findAgency(tx, departmentAgencyCode);
      if (!agency) throw invalid({ departmentAgencyCode: 'Chưa có cơ quan mang mã này: thêm cơ quan trước.' });
      if (agency.kind !== 'department') throw invalid({ departmentAgencyCode: 'Cơ quan này không phải là Sở (loại department).' });
    }
    await updateOrganisationSettings(tx, { provinceName: values.provinceName, departmentAgencyCode });
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'organisation.settings_updated', 'settings', {
      before: { provinceName: before.provinceName, departmentAgencyCode: before.departmentAgencyCode },
      after: { provinceName: values.provinceName, departmentAgencyCode },
    });
  });
  await afterCommit(ctx);
  return readSettings(ctx, caller);
}

// ---------------------------------------------------------------- agencies

export async function listAgencyViews(ctx: AppContext, caller: Caller): Promise<AgencyView[]> {
  administratorOf(caller);
  return (await listAgenciesByCode(ctx.db)).map(toAgencyView);
}

export async function readAgency(ctx: AppContext, caller: Caller, code: string): Promise<AgencyView> {
  administratorOf(caller);
  const row = await findAgency(ctx.db, code);
  if (!row) throw new AppError('NOT_FOUND', 'Không có cơ quan mang mã này.');
  return toAgencyView(row);
}

/** The Department's name as a parent line ("Sở Giáo dục và Đào tạo <Tỉnh>"), else the parent agency's own name. */
function parentLine(ctx: AppContext, departmentCode: string | null, parent: AgencyRow): string {
  return parent.code === departmentCode ? ctx.organisation.departmentName : parent.name;
}

export async function createAgency(ctx: AppContext, caller: Caller, input: unknown): Promise<AgencyView> {
  const { actor } = administratorOf(caller);
  const values = parseInput(agencyInput, input);
  const row = await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    const settings = await readOrganisationSettings(tx);
    const parent = values.parentCode ? await findAgency(tx, values.parentCode) : undefined;
    if (values.parentCode && !parent) throw invalid({ parentCode: 'Không có cơ quan cấp trên mang mã này.' });
    const province = settings.provinceName;
    const parentName = values.parentName ?? (parent ? parentLine(ctx, settings.departmentAgencyCode, parent) : province ? provincialCommitteeName(province) : undefined);
    const place = values.place ?? (province || undefined);
    const missing: Record<string, string> = {};
    if (!parentName) missing.parentName = 'Nhập tên cơ quan chủ quản, hoặc đặt tên tỉnh trước để điền sẵn.';
    if (!place) missing.place = 'Nhập địa danh ghi trên văn bản, hoặc đặt tên tỉnh trước để điền sẵn.';
    if (Object.keys(missing).length > 0) throw invalid(missing);
    const agency: NewAgency = {
      code: values.code, name: values.name, abbreviation: values.abbreviation, parentCode: values.parentCode ?? null,
      parentName: parentName!, place: place!, kind: values.kind ?? (parent ? 'school' : 'department'),
    };
    if (!(await insertAgency(tx, agency))) throw new AppError('AGENCY_EXISTS', 'Mã cơ quan này đã có.', { code: 'Mã cơ quan này đã có.' });
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'organisation.agency_saved', agency.code, { created: true, ...agency });
    return (await findAgency(tx, agency.code))!;
  });
  await afterCommit(ctx);
  return toAgencyView(row);
}

export async function changeAgency(ctx: AppContext, caller: Caller, code: string, input: unknown): Promise<AgencyView> {
  const { actor } = administratorOf(caller);
  const changes = parseInput(agencyChanges, input);
  const { row, changed } = await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    const current = await findAgency(tx, code);
    if (!current) throw new AppError('NOT_FOUND', 'Không có cơ quan mang mã này.');
    if (Object.keys(changes).length === 0) return { row: current, changed: false }; // an empty form: nothing to write or audit
    if (changes.parentCode) await checkAgencyParent(tx, code, changes.parentCode);
    const settings = await readOrganisationSettings(tx);
    if (changes.kind && changes.kind !== 'department' && settings.departmentAgencyCode === code) {
      throw invalid({ kind: 'Cơ quan này đang là Sở trong phần cài đặt: chọn Sở khác trước khi đổi loại.' });
    }
    const updated = await updateAgency(tx, code, changes);
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'organisation.agency_saved', code, { created: false, changes });
    return { row: updated!, changed: true };
  });
  if (changed) await afterCommit(ctx);
  return toAgencyView(row);
}

/** The new parent exists and is not the agency itself or below it (the QCVN 102 tree has no loops). */
async function checkAgencyParent(db: Db, code: string, parentCode: string): Promise<void> {
  const all = new Map((await listAgenciesByCode(db)).map((a) => [a.code, a]));
  if (!all.has(parentCode)) throw invalid({ parentCode: 'Không có cơ quan cấp trên mang mã này.' });
  for (let at: string | null = parentCode, steps = 0; at && steps <= all.size; at = all.get(at)?.parentCode ?? null, steps++) {
    if (at === code) throw invalid({ parentCode: 'Cơ quan cấp trên không được là chính cơ quan này hoặc một cơ quan trực thuộc nó.' });
  }
}

// ---------------------------------------------------------------- units

/** The units in tree order: each agency's top units (the Department's first), each followed by its subtree. */
export function unitTree(rows: UnitRow[], agencies: AgencyRow[], departmentCode: string | null): UnitView[] {
  const agencyOf = new Map(agencies.map((a) => [a.code, a]));
  const ids = new Set(rows.map((u) => u.id));
  const children = new Map<string | null, UnitRow[]>();
  for (const unit of rows) {
    const parent = unit.parentId && ids.has(unit.parentId) ? unit.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), unit]);
  }
  const kindOrder: StoredUnitKind[] = ['board', 'one_stop_desk', 'division', 'school_office'];
  const rootKey = (u: UnitRow) => [u.agencyCode === departmentCode ? 0 : 1, agencyOf.get(u.agencyCode)?.kind === 'school' ? 1 : 0, agencyOf.get(u.agencyCode)?.name ?? u.agencyCode, kindOrder.indexOf(u.kind), u.name] as const;
  const compare = (a: UnitRow, b: UnitRow) => {
    const [x, y] = [rootKey(a), rootKey(b)];
    for (let i = 0; i < x.length; i++) {
      const [p, q] = [x[i]!, y[i]!];
      if (p !== q) return typeof p === 'number' && typeof q === 'number' ? p - q : String(p).localeCompare(String(q), 'vi');
    }
    return 0;
  };
  const out: UnitView[] = [];
  const seen = new Set<string>();
  const visit = (unit: UnitRow, depth: number) => {
    if (seen.has(unit.id)) return; // a loop written outside the product must not hang the page
    seen.add(unit.id);
    out.push({
      id: unit.id, name: unit.name, agencyCode: unit.agencyCode, agencyName: agencyOf.get(unit.agencyCode)?.name ?? unit.agencyCode,
      kind: KIND_OF_STORED[unit.kind], parentId: unit.parentId, abbreviation: unit.abbreviation, depth,
    });
    for (const child of (children.get(unit.id) ?? []).sort(compare)) visit(child, depth + 1);
  };
  for (const root of (children.get(null) ?? []).sort(compare)) visit(root, 0);
  for (const unit of rows) visit(unit, 0);
  return out;
}

export async function listUnitViews(ctx: AppContext, caller: Caller): Promise<UnitView[]> {
  administratorOf(caller);
  const [rows, agencies, settings] = await Promise.all([listUnits(ctx.db), listAgenciesByCode(ctx.db), readOrganisationSettings(ctx.db)]);
  return unitTree(rows, agencies, settings.departmentAgencyCode);
}

export async function readUnit(ctx: AppContext, caller: Caller, id: string): Promise<UnitView> {
  const found = (await listUnitViews(ctx, caller)).find((u) => u.id === id);
  if (!found) throw new AppError('NOT_FOUND', 'Không có đơn vị mang mã này.');
  return found;
}

const ROLE_MISFIT = (role: UnitRole, procedureId: string) =>
  `Đơn vị đang giữ vai trò "${UNIT_ROLE_LABELS[role]}" cho ${procedureId === EVERY_PROCEDURE ? 'mọi thủ tục' : `thủ tục ${procedureId}`}; loại mới không phù hợp. Đổi phân công trước.`;

export async function createUnit(ctx: AppContext, caller: Caller, input: unknown): Promise<UnitView> {
  const { actor } = administratorOf(caller);
  const values = parseInput(unitInput, input);
  await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    if (!(await findAgency(tx, values.agencyCode))) throw invalid({ agencyCode: 'Không có cơ quan mang mã này.' });
    if (values.parentId) {
      const parent = await findUnit(tx, values.parentId);
      if (!parent) throw invalid({ parentId: 'Không có đơn vị cấp trên mang mã này.' });
      if (parent.agencyCode !== values.agencyCode) throw invalid({ parentId: 'Đơn vị cấp trên phải thuộc cùng cơ quan.' });
    }
    const unit: NewUnit = {
      id: values.id, name: values.name, agencyCode: values.agencyCode, kind: UNIT_KINDS[values.kind],
      parentId: values.parentId ?? null, abbreviation: values.abbreviation ?? null,
    };
    if (!(await insertUnit(tx, unit))) throw new AppError('UNIT_EXISTS', 'Mã đơn vị này đã có.', { id: 'Mã đơn vị này đã có.' });
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'organisation.unit_saved', unit.id, { created: true, ...unit });
  });
  await afterCommit(ctx);
  return readUnit(ctx, caller, values.id);
}

export async function changeUnit(ctx: AppContext, caller: Caller, id: string, input: unknown): Promise<UnitView> {
  const { actor } = administratorOf(caller);
  const changes = parseInput(unitChanges, input);
  await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    const current = await findUnit(tx, id);
    if (!current) throw new AppError('NOT_FOUND', 'Không có đơn vị mang mã này.');
    const agencyCode = changes.agencyCode ?? current.agencyCode;
    const parentId = changes.parentId === undefined ? current.parentId : changes.parentId;
    const kind = changes.kind ? UNIT_KINDS[changes.kind] : current.kind;
    const fields: Record<string, string> = {};
    if (agencyCode !== current.agencyCode) {
      if (!(await findAgency(tx, agencyCode))) fields.agencyCode = 'Không có cơ quan mang mã này.';
      else if ((await listUnits(tx)).some((u) => u.parentId === id)) fields.agencyCode = 'Đơn vị còn đơn vị trực thuộc: chuyển các đơn vị đó trước.';
    }
    if (parentId) {
      const parent = await findUnit(tx, parentId);
      if (!parent) fields.parentId = 'Không có đơn vị cấp trên mang mã này.';
      else if ((await unitSubtree(tx, id)).includes(parentId)) fields.parentId = 'Đơn vị cấp trên không được là chính đơn vị này hoặc một đơn vị trực thuộc nó.';
      else if (parent.agencyCode !== agencyCode) fields.parentId = 'Đơn vị cấp trên phải thuộc cùng cơ quan.';
    }
    if (kind !== current.kind) {
      const misfit = (await unitRolesPlayedBy(tx)).find((r) => r.unitId === id && !ROLE_KINDS[r.role as UnitRole].includes(kind));
      if (misfit) fields.kind = ROLE_MISFIT(misfit.role as UnitRole, misfit.procedureId);
    }
    if (Object.keys(fields).length > 0) throw invalid(fields);
    const stored = {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.agencyCode !== undefined ? { agencyCode } : {}),
      ...(changes.parentId !== undefined ? { parentId } : {}),
      ...(changes.kind !== undefined ? { kind } : {}),
      ...(changes.abbreviation !== undefined ? { abbreviation: changes.abbreviation } : {}),
    };
    if (Object.keys(stored).length > 0) await updateUnit(tx, id, stored);
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'organisation.unit_saved', id, { created: false, changes: stored });
  });
  await afterCommit(ctx);
  return readUnit(ctx, caller, id);
}

// ---------------------------------------------------------------- import

/**
 * Units (and, for a school with a new code and an `agencyName`, its agency) from a CSV or XLSX file whose header row
 * names the columns (IMPORT_COLUMNS). Every row is checked against the file and the database first; with any
 * problem nothing is written and each is reported as "line N" (the spreadsheet's own line, header = line 1). An id
 * already in the database is updated (a corrected file can be imported again); its parent and abbreviation stay as they
 * are when the file leaves them out (no such column, or an empty cell).
 */
export async function importUnits(ctx: AppContext, caller: Caller, file: TableFile): Promise<ImportResult> {
  const { actor } = administratorOf(caller);
  if (file.data.length > MAX_IMPORT_BYTES) throw invalid({ file: tooLargeMessage() }, tooLargeMessage());
  const table = await readTableFile(file, { columns: IMPORT_COLUMNS, required: ['id', 'name', 'agencyCode', 'kind'], maxRows: MAX_IMPORT_ROWS });
  const errors = new Map<number, string[]>();
  const fail = (line: number, message: string) => errors.set(line, [...(errors.get(line) ?? []), message]);
  const rows: Array<{ line: number; row: z.infer<typeof importRow> }> = [];
  const lineOfId = new Map<string, number>();
  for (const { line, values } of table) {
    const parsed = importRow.safeParse(values);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) fail(line, `${issue.path.join('.') || 'dòng'}: ${issue.message}`);
      continue;
    }
    const earlier = lineOfId.get(parsed.data.id);
    if (earlier !== undefined) fail(line, `id: mã đơn vị "${parsed.data.id}" trùng với dòng ${earlier}.`);
    else lineOfId.set(parsed.data.id, line);
    rows.push({ line, row: parsed.data });
  }

  const outcome = await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    const [settings, agencies, existing, roles] = await Promise.all([
      readOrganisationSettings(tx), listAgenciesByCode(tx), listUnits(tx), unitRolesPlayedBy(tx),
    ]);
    const agencyCodes = new Set(agencies.map((a) => a.code));
    const newAgencies = new Map<string, { agency: NewAgency; line: number }>();
    for (const { line, row } of rows) {
      if (agencyCodes.has(row.agencyCode)) continue;
      const planned = newAgencies.get(row.agencyCode);
      if (planned) {
        if (row.agencyName && row.agencyName !== planned.agency.name) fail(line, `agencyName: khác tên cơ quan ${row.agencyCode} ở dòng ${planned.line}.`);
      } else if (!row.agencyName) {
        fail(line, `agencyCode: chưa có cơ quan ${row.agencyCode}; thêm cơ quan trước hoặc ghi cột agencyName để tạo mới.`);
      } else if (!settings.provinceName || !settings.departmentAgencyCode) {
        fail(line, 'agencyName: đặt tên tỉnh và chọn Sở trong phần cài đặt trước khi tạo cơ quan mới từ tệp.');
      } else {
        newAgencies.set(row.agencyCode, {
          line,
          agency: {
            code: row.agencyCode, name: row.agencyName, abbreviation: row.abbreviation ?? null, parentCode: settings.departmentAgencyCode,
            parentName: ctx.organisation.departmentName, place: settings.provinceName, kind: 'school',
          },
        });
      }
    }

    // The tree as it will be: existing units overlaid with the file's; every imported unit must fit in it.
    const before = new Map(existing.map((u) => [u.id, u]));
    // A unit the file leaves without a parent keeps its current one (upsertUnits).
    const parentOf = (row: z.infer<typeof importRow>) => row.parentId ?? before.get(row.id)?.parentId ?? null;
    const after = new Map<string, Pick<UnitRow, 'id' | 'agencyCode' | 'parentId' | 'kind'>>(before);
    for (const { row } of rows) after.set(row.id, { id: row.id, agencyCode: row.agencyCode, parentId: parentOf(row), kind: UNIT_KINDS[row.kind] });
    for (const { line, row } of rows) {
      const parentId = parentOf(row);
      if (parentId) {
        const parent = after.get(parentId);
        if (!parent) fail(line, `parentId: không có đơn vị "${parentId}" (trong tệp hay trong hệ thống).`);
        else if (parent.agencyCode !== row.agencyCode) fail(line, `parentId: đơn vị cấp trên "${parentId}" thuộc cơ quan khác.`);
        else if (closesLoop(after, row.id)) fail(line, `parentId: "${parentId}" tạo thành vòng lặp (đơn vị là cấp trên của chính nó).`);
      }
      const child = existing.find((u) => u.parentId === row.id && !lineOfId.has(u.id) && u.agencyCode !== row.agencyCode);
      if (child) fail(line, `agencyCode: đơn vị trực thuộc "${child.id}" đang thuộc cơ quan ${child.agencyCode}.`);
      const misfit = roles.find((r) => r.unitId === row.id && !ROLE_KINDS[r.role as UnitRole].includes(UNIT_KINDS[row.kind]));
      if (misfit) fail(line, `kind: ${ROLE_MISFIT(misfit.role as UnitRole, misfit.procedureId)}`);
    }

    if (errors.size > 0) throw importRefused(errors);
    const agenciesCreated = await insertAgencies(tx, [...newAgencies.values()].map((p) => p.agency));
    await upsertUnits(tx, rows.map(({ row }) => ({
      id: row.id, name: row.name, agencyCode: row.agencyCode, kind: UNIT_KINDS[row.kind], parentId: row.parentId ?? null, abbreviation: row.abbreviation ?? null,
    })));
    const created = rows.filter(({ row }) => !before.has(row.id)).length;
    const result = { imported: rows.length, created, updated: rows.length - created, agenciesCreated };
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'organisation.units_imported', file.fileName, { ...result, unitIds: rows.map(({ row }) => row.id) });
    return result;
  });
  await afterCommit(ctx);
  return outcome;
}

function closesLoop(units: Map<string, Pick<UnitRow, 'parentId'>>, start: string): boolean {
  let at = units.get(start)?.parentId ?? null;
  for (let steps = 0; at && steps <= units.size; steps++) {
    if (at === start) return true;
    at = units.get(at)?.parentId ?? null;
  }
  return false;
}

export function tooLargeMessage(): string {
  return `Tệp vượt quá ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Hãy chia thành nhiều tệp (tối đa ${MAX_IMPORT_ROWS} dòng mỗi tệp).`;
}

function importRefused(errors: Map<number, string[]>): AppError {
  const lines = [...errors.keys()].sort((a, b) => a - b);
  const fields = Object.fromEntries(lines.slice(0, MAX_REPORTED_LINES).map((line) => [`line ${line}`, errors.get(line)!.join(' ')]));
  const more = lines.length > MAX_REPORTED_LINES ? ` (liệt kê ${MAX_REPORTED_LINES} dòng đầu)` : '';
  return invalid(fields, `Tệp có ${lines.length} dòng lỗi${more}; chưa nhập dòng nào. Sửa các dòng này rồi nhập lại cả tệp.`);
}

// ---------------------------------------------------------------- unit roles

export const EVERY_PROCEDURE_TITLE = 'Mọi thủ tục (mặc định)';

export async function readUnitRoles(ctx: AppContext, caller: Caller): Promise<UnitRolesView> {
  administratorOf(caller);
  const rows = await listUnitRoles(ctx.db);
  return {
    procedures: [
      { id: EVERY_PROCEDURE, title: EVERY_PROCEDURE_TITLE },
      ...ctx.catalog.listAll().map((p) => ({ id: p.definition.id, title: p.definition.title })).sort((a, b) => a.title.localeCompare(b.title, 'vi')),
    ],
    items: rows.map((r) => ({ procedureId: r.procedureId, role: r.role, unitId: r.unitId })),
  };
}

/**
 * Sets the listed (procedure, role) pairs; `unitId: null` lets a procedure follow the default again. The default
 * ('*') cannot be cleared, and each unit must be of a kind that can play the part (desk → a one-stop desk,
 * leadership → a board, office → a division or a board).
 */
export async function saveUnitRoles(ctx: AppContext, caller: Caller, input: unknown): Promise<UnitRolesView> {
  const { actor } = administratorOf(caller);
  const { items } = parseInput(unitRolesInput, input);
  // A switched-off procedure can be assigned too: its dossiers go on, and it may be switched on again.
  const known = new Set([EVERY_PROCEDURE, ...ctx.catalog.listAll().map((p) => p.definition.id)]);
  await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    const unitsById = new Map((await listUnits(tx)).map((u) => [u.id, u]));
    const current = new Map((await listUnitRoles(tx)).map((r) => [`${r.procedureId} ${r.role}`, r.unitId]));
    const fields: Record<string, string> = {};
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const key = `${item.procedureId} ${item.role}`;
      if (!known.has(item.procedureId)) fields[`items.${i}.procedureId`] = 'Không có thủ tục này.';
      else if (seen.has(key)) fields[`items.${i}.role`] = 'Vai trò này của thủ tục được gửi hai lần.';
      else if (item.unitId === null && item.procedureId === EVERY_PROCEDURE) fields[`items.${i}.unitId`] = 'Chọn đơn vị mặc định cho mọi thủ tục.';
      else if (item.unitId !== null) {
        const unit = unitsById.get(item.unitId);
        if (!unit) fields[`items.${i}.unitId`] = 'Không có đơn vị mang mã này.';
        else if (!ROLE_KINDS[item.role].includes(unit.kind)) fields[`items.${i}.unitId`] = roleKindMessage(item.role);
      }
      seen.add(key);
    });
    if (Object.keys(fields).length > 0) throw invalid(fields);
    const changes = items.filter((item) => (current.get(`${item.procedureId} ${item.role}`) ?? null) !== item.unitId);
    if (changes.length === 0) return;
    for (const item of changes) {
      if (item.unitId === null) await clearUnitRole(tx, item.procedureId, item.role);
      else await setUnitRole(tx, item.procedureId, item.role, item.unitId);
    }
    await bumpRevision(tx);
    await recordAudit(tx, actor, 'organisation.unit_role_assigned', null, {
      changes: changes.map((c) => ({ ...c, before: current.get(`${c.procedureId} ${c.role}`) ?? null })),
    });
  });
  await afterCommit(ctx);
  return readUnitRoles(ctx, caller);
}

function roleKindMessage(role: UnitRole): string {
  return role === 'desk' ? 'Vai trò tiếp nhận phải do một bộ phận một cửa (desk) đảm nhận.'
    : role === 'leadership' ? 'Vai trò lãnh đạo phải do ban lãnh đạo (leadership) đảm nhận.'
      : 'Vai trò chủ trì xử lý phải do một phòng chuyên môn (office) hoặc ban lãnh đạo đảm nhận.';
}

/** Which stored unit kinds can play a part (for the page's choices). */
export function kindsForRole(role: UnitRole): readonly StoredUnitKind[] {
  return ROLE_KINDS[role];
}
