// The first-run set-up of an empty production database (/quan-tri/thiet-lap and POST /api/admin/setup): the province,
// the Department's agency (QCVN 102 code) and its core units — the board (leadership), the one-stop desk (desk) and
// the specialist offices, the first of them the default office of every procedure — in one transaction with its audit
// entries. It runs once; the organisation pages change everything afterwards. Administrators created before it
// (create-administrator.ts) move from the holding unit to the board, and the holding rows go.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { bumpRevision, EVERY_PROCEDURE, lockOrganisation, readOrganisationSettings, setUnitRole } from '../../db/repositories/administration.js';
import { insertAgency, insertUnit, updateAgency } from '../../db/repositories/organisation.js';
import { claimSetup, deleteAgency, deleteUnit, moveStaffToUnit } from '../../db/repositories/setup.js';
import type { UnitRow } from '../../db/repositories/staff.js';
import { AppError, validationFailed } from '../../errors.js';
import type { Caller } from '../access.js';
import { HOLDING_AGENCY_CODE, HOLDING_UNIT_ID } from '../accounts/create-administrator.js';
import { recordAudit, type AuditActor } from '../audit/audit.js';
import { administratorOf } from './administrator.js';
import { abbreviationSchema, agencyCodeSchema, provincialCommitteeName, RESERVED_IDS, unitIdSchema } from './organisation.js';

/** Offices the set-up page offers; more are added in the organisation pages. */
export const SETUP_OFFICE_SLOTS = 3;

const name = (label: string, max = 200) => z.string().trim().min(2, `${label}: ít nhất 2 ký tự.`).max(max, `${label}: dài quá ${max} ký tự.`)
  .transform((v) => v.normalize('NFC'));
const optionalText = z.string().trim().optional().transform((v) => (v ? v.normalize('NFC') : undefined));
/** Optional: left empty, the id is made from the name (unitIdFrom). */
const unitId = unitIdSchema.optional().or(z.literal('').transform(() => undefined));
const unitSchema = (label: string) => z.object({ id: unitId, name: name(label), abbreviation: optionalText });

export const setupInputSchema = z.object({
  /** "Thanh Hóa" — the province's name as it follows "tỉnh"/"thành phố". */
  provinceName: name('Tên tỉnh/thành phố', 100),
  department: z.object({
    code: agencyCodeSchema,
    name: name('Tên cơ quan'),
    abbreviation: abbreviationSchema,
    /** Default: "Ủy ban nhân dân tỉnh <province>" ("… thành phố <city>" for a centrally governed city). */
    parentName: optionalText,
    /** Where documents are dated ("Thanh Hóa, ngày …"); default: the province. */
    place: optionalText,
  }),
  board: unitSchema('Tên Ban Giám đốc'),
  desk: unitSchema('Tên bộ phận một cửa'),
  offices: z.array(unitSchema('Tên phòng chuyên môn')).min(1, 'Cần ít nhất một phòng chuyên môn.').max(20, 'Tối đa 20 phòng khi thiết lập; thêm sau ở trang Tổ chức.'),
});
export type SetupInput = z.input<typeof setupInputSchema>;
type ParsedSetup = z.output<typeof setupInputSchema>;

export interface SetupResult {
  provinceName: string;
  departmentAgencyCode: string;
  units: Array<{ id: string; name: string; kind: UnitRow['kind']; role: 'leadership' | 'desk' | 'office' | null }>;
  /** Administrators moved from the holding unit to the board. */
  movedAccounts: string[];
}

export function setupAlreadyDone(): AppError {
  return new AppError('SETUP_ALREADY_DONE', 'Thiết lập ban đầu đã được thực hiện. Thay đổi thông tin tổ chức tại trang Quản trị › Tổ chức.');
}

/** The input checked by the schema, as field errors keyed like the JSON paths ("department.code", "offices.0.name"). */
export function parseSetupInput(raw: unknown): ParsedSetup {
  const parsed = setupInputSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error, 'Thông tin thiết lập chưa hợp lệ, vui lòng xem các ô được đánh dấu.');
}

/** "Phòng Quản lý chất lượng" → "phong-quan-ly-chat-luong": the unit id when the administrator gives none. */
export function unitIdFrom(text: string): string {
  const slug = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return slug.length >= 2 && !RESERVED_IDS.includes(slug) ? slug : `don-vi-${slug || 'moi'}`;
}

interface PlannedUnit { id: string; name: string; abbreviation: string | null; kind: UnitRow['kind']; role: 'leadership' | 'desk' | 'office' | null; field: string }

function planUnits(input: ParsedSetup): PlannedUnit[] {
  const planned: PlannedUnit[] = [
    { ...input.board, kind: 'board', role: 'leadership', field: 'board' } as const,
    { ...input.desk, kind: 'one_stop_desk', role: 'desk', field: 'desk' } as const,
    ...input.offices.map((o, i) => ({ ...o, kind: 'division' as const, role: i === 0 ? 'office' as const : null, field: `offices.${i}` })),
  ].map((u) => ({ ...u, id: u.id ?? unitIdFrom(u.name), abbreviation: u.abbreviation ?? null }));
  const fields: Record<string, string> = {};
  for (const u of planned) {
    if (planned.some((o) => o !== u && o.id === u.id)) fields[`${u.field}.id`] = `Mã đơn vị "${u.id}" bị trùng với một đơn vị khác trong biểu mẫu.`;
  }
  if (Object.keys(fields).length > 0) throw new AppError('VALIDATION_FAILED', 'Mỗi đơn vị cần một mã riêng.', fields);
  return planned;
}

/**
 * Runs the set-up once: 409 SETUP_ALREADY_DONE afterwards (also for a second set-up racing this one: the settings row
 * is claimed first, under its row lock). After commit the process reloads its copy of the organisation.
 */
export async function completeSetup(ctx: Pick<AppContext, 'db' | 'adminData'>, caller: Caller, raw: unknown): Promise<SetupResult> {
  const { actor } = administratorOf(caller);
  // Said before any complaint about the input: a set-up already done is the news, not a field left empty.
  if ((await readOrganisationSettings(ctx.db)).setupCompletedAt) throw setupAlreadyDone();
  const input = parseSetupInput(raw);
  const planned = planUnits(input);
  const department = {
    code: input.department.code, name: input.department.name, abbreviation: input.department.abbreviation, kind: 'department' as const,
    parentName: input.department.parentName ?? provincialCommitteeName(input.provinceName),
    place: input.department.place ?? input.provinceName, parentCode: null,
  };
  const result = await ctx.db.transaction(async (tx) => {
    await lockOrganisation(tx);
    if (!(await claimSetup(tx, { provinceName: input.provinceName, departmentAgencyCode: department.code }))) throw setupAlreadyDone();
    // An agency entered on the organisation page before the set-up is brought up to these values rather than refused.
    if (!(await insertAgency(tx, department))) await updateAgency(tx, department.code, department);
    await recordAudit(tx, actor, 'organisation.agency_saved', department.code, { ...department });
    const board = planned[0]!;
    for (const unit of planned) {
      const created = await insertUnit(tx, {
        id: unit.id, agencyCode: department.code, parentId: unit === board ? null : board.id, name: unit.name, kind: unit.kind, abbreviation: unit.abbreviation,
      });
      if (!created) {
        throw new AppError('VALIDATION_FAILED', `Mã đơn vị "${unit.id}" đã được dùng.`, { [`${unit.field}.id`]: 'Mã này đã được dùng cho một đơn vị khác; hãy chọn mã khác.' });
      }
      await recordAudit(tx, actor, 'organisation.unit_saved', unit.id, { name: unit.name, kind: unit.kind, agencyCode: department.code });
      if (unit.role) {
        await setUnitRole(tx, EVERY_PROCEDURE, unit.role, unit.id);
        await recordAudit(tx, actor, 'organisation.unit_role_assigned', unit.id, { procedureId: EVERY_PROCEDURE, role: unit.role });
      }
    }
    const movedAccounts = await retireHoldingUnit(tx, board.id, actor);
    await recordAudit(tx, actor, 'organisation.settings_updated', null, { provinceName: input.provinceName, departmentAgencyCode: department.code });
    await recordAudit(tx, actor, 'organisation.setup_completed', department.code, { units: planned.map((u) => u.id), movedAccounts });
    await bumpRevision(tx);
    return {
      provinceName: input.provinceName, departmentAgencyCode: department.code, movedAccounts,
      units: planned.map(({ id, name: unitName, kind, role }) => ({ id, name: unitName, kind, role })),
    };
  });
  await ctx.adminData.changed();
  return result;
}

/** Administrators waiting in the holding unit join the board; the holding unit and agency go when nothing else uses them. */
async function retireHoldingUnit(tx: Db, boardId: string, actor: AuditActor): Promise<string[]> {
  const moved = await moveStaffToUnit(tx, HOLDING_UNIT_ID, boardId);
  for (const username of moved) await recordAudit(tx, actor, 'staff.updated', username, { unitId: { from: HOLDING_UNIT_ID, to: boardId } });
  try {
    // A savepoint: a row somewhere else still naming the holding unit (a key, a dossier) keeps it, not the set-up failing.
    await tx.transaction(async (savepoint) => {
      await deleteUnit(savepoint, HOLDING_UNIT_ID);
      await deleteAgency(savepoint, HOLDING_AGENCY_CODE);
    });
  } catch {
    // Kept: harmless, and the organisation pages show it.
  }
  return moved;
}
