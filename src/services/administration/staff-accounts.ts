// Staff accounts as administrators keep them: create (with a temporary password shown once, to be changed at first
// sign-in), change roles, unit, title, e-mail and signing authority, deactivate (every session ends at once and
// sign-in is refused) and reactivate, reset the password, and turn off a lost phone's two-factor. Each change and its
// audit entry commit together. No change may leave the organisation without an active administrator (LAST_ADMIN):
// the active administrators' rows are locked first, so two administrators removing each other cannot both succeed.
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { hashPassword } from '../../accounts/passwords.js';
import { temporaryPassword } from '../../accounts/temporary-password.js';
import type { Db } from '../../db/client.js';
import { listUnits } from '../../db/repositories/organisation.js';
import type { SigningAuthority } from '../../db/schema/organisation.js';
import {
  deleteOtherSessions, findStaffByUsername, findUnit, insertNewStaff, listStaff, lockActiveAdmins, lockStaffByUsername,
  updateStaff, type StaffRow, type UnitRow,
} from '../../db/repositories/staff.js';
import { AppError, validationFailed } from '../../errors.js';
import type { Caller } from '../access.js';
import { recordAudit, type AuditActor } from '../audit/audit.js';
import { administratorOf } from './administrator.js';

/** The roles the workflow files and PERMISSIONS (services/access.ts) name, with how the pages say them. */
export const STAFF_ROLES = {
  clerk: 'Cán bộ một cửa (tiếp nhận, trả kết quả)',
  specialist: 'Chuyên viên thụ lý',
  leader: 'Lãnh đạo (phê duyệt, ký số)',
  school: 'Cán bộ trường',
  admin: 'Quản trị hệ thống',
} as const;
export type StaffRole = keyof typeof STAFF_ROLES;
const ROLE_IDS = Object.keys(STAFF_ROLES) as [StaffRole, ...StaffRole[]];

/** Decree 30, art. 13: how a deputy or an office signs for the head. */
export const AUTHORITY_KINDS = {
  KT: 'KT. (ký thay)',
  TL: 'TL. (thừa lệnh)',
  TM: 'TM. (thay mặt)',
} as const;

/** "KT. GIÁM ĐỐC". */
export const authorityText = (authority: SigningAuthority | null) => (authority ? `${authority.kind}. ${authority.for}` : null);

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,49}$/;
const text = (max: number, missing: string) => z.string({ error: missing }).trim().min(1, missing).max(max, `Tối đa ${max} ký tự.`);

export const authoritySchema = z.object({
  kind: z.enum(['KT', 'TL', 'TM'], { error: 'Chọn KT., TL. hoặc TM.' }),
  for: text(100, 'Ghi chức danh của người được ký thay, ví dụ GIÁM ĐỐC.'),
}, { error: 'Thẩm quyền ký không hợp lệ.' });

const staffFields = {
  fullName: text(100, 'Vui lòng nhập họ và tên.'),
  roles: z.array(z.enum(ROLE_IDS, { error: 'Vai trò không hợp lệ.' }), { error: 'Chọn ít nhất một vai trò.' })
    .min(1, 'Chọn ít nhất một vai trò.').max(ROLE_IDS.length, 'Vai trò không hợp lệ.'),
  unitId: text(100, 'Vui lòng chọn đơn vị.'),
  title: text(200, 'Vui lòng nhập chức danh.'),
  email: z.email({ error: 'Địa chỉ thư điện tử không hợp lệ.' }).max(200, 'Tối đa 200 ký tự.').nullish(),
  authority: authoritySchema.nullish(),
};

export const createStaffInput = z.object({
  username: z.string({ error: 'Vui lòng nhập tên đăng nhập.' }).trim().toLowerCase()
    .regex(USERNAME, 'Tên đăng nhập: 3–50 ký tự a–z, 0–9, dấu chấm, gạch ngang hoặc gạch dưới, bắt đầu bằng chữ hoặc số.'),
  ...staffFields,
});
export type CreateStaffInput = z.infer<typeof createStaffInput>;

export const updateStaffInput = z.object({
  ...Object.fromEntries(Object.entries(staffFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof staffFields]: z.ZodOptional<(typeof staffFields)[K]> },
  active: z.boolean({ error: 'Phải là true hoặc false.' }).optional(),
  /** Only `false`: an administrator turns two-factor off (a lost phone); turning it on is the account's own act. */
  totp: z.literal(false, { error: 'Chỉ có thể tắt (false): người dùng tự bật xác thực hai lớp.' }).optional(),
});
export type UpdateStaffInput = z.infer<typeof updateStaffInput>;

export const staffFilterInput = z.object({
  unit: z.string().max(100).optional(),
  role: z.enum(ROLE_IDS, { error: 'Vai trò không hợp lệ.' }).optional(),
  active: z.enum(['true', 'false'], { error: 'Phải là true hoặc false.' }).optional(),
  q: z.string().max(100).optional(),
});
export type StaffFilterInput = z.infer<typeof staffFilterInput>;

export interface StaffAccountView {
  id: string;
  username: string;
  fullName: string;
  title: string;
  email: string | null;
  roles: string[];
  unitId: string;
  unitName: string;
  authority: SigningAuthority | null;
  active: boolean;
  mustChangePassword: boolean;
  /** When the temporary password stops signing in (null: the account chose its own). */
  temporaryPasswordExpiresAt: string | null;
  totpEnabled: boolean;
  createdAt: string;
}

export function staffAccountView(staff: StaffRow, unitName: string): StaffAccountView {
  return {
    id: staff.id, username: staff.username, fullName: staff.fullName, title: staff.title, email: staff.email, roles: staff.roles,
    unitId: staff.unitId, unitName, authority: staff.authority ?? null, active: staff.active, mustChangePassword: staff.mustChangePassword,
    temporaryPasswordExpiresAt: staff.mustChangePassword ? staff.temporaryPasswordExpiresAt?.toISOString() ?? null : null,
    totpEnabled: staff.totpEnabledAt !== null && staff.totpSecret !== null, createdAt: staff.createdAt.toISOString(),
  };
}

/** The input, or VALIDATION_FAILED with the schema's Vietnamese messages keyed like the JSON (`authority.for`). */
function parseInput<T extends z.ZodType>(schema: T, raw: unknown, message = 'Thông tin tài khoản chưa hợp lệ.'): z.infer<T> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error, message);
}

const staffNotFound = () => new AppError('STAFF_NOT_FOUND', 'Không có tài khoản cán bộ này.');

async function requireUnit(db: Db, unitId: string): Promise<UnitRow> {
  const unit = await findUnit(db, unitId);
  if (!unit) throw new AppError('VALIDATION_FAILED', 'Thông tin tài khoản chưa hợp lệ.', { unitId: 'Đơn vị không tồn tại.' });
  return unit;
}

export async function listStaffAccounts(ctx: AppContext, caller: Caller, rawFilter: unknown = {}): Promise<StaffAccountView[]> {
  administratorOf(caller);
  const filter = parseInput(staffFilterInput, rawFilter, 'Bộ lọc không hợp lệ.');
  const rows = await listStaff(ctx.db, {
    unitId: filter.unit || undefined, role: filter.role, active: filter.active === undefined ? undefined : filter.active === 'true',
    q: filter.q?.normalize('NFC').trim() || undefined,
  });
  return rows.map((r) => staffAccountView(r.staff, r.unitName));
}

export async function getStaffAccount(ctx: AppContext, caller: Caller, username: string): Promise<StaffAccountView> {
  administratorOf(caller);
  return accountViewOf(ctx.db, await findStaffByUsername(ctx.db, username));
}

/** The signed-in account's own view (/tai-khoan). */
export async function ownAccount(ctx: AppContext, staff: StaffRow): Promise<StaffAccountView> {
  return accountViewOf(ctx.db, await findStaffByUsername(ctx.db, staff.username));
}

async function accountViewOf(db: Db, staff: StaffRow | undefined): Promise<StaffAccountView> {
  if (!staff) throw staffNotFound();
  return staffAccountView(staff, (await findUnit(db, staff.unitId))?.name ?? staff.unitId);
}

/** The units as a tree, depth-first (parents before their children), for the unit select. */
export async function unitChoices(ctx: AppContext): Promise<Array<{ id: string; name: string; depth: number }>> {
  const units = await listUnits(ctx.db);
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, UnitRow[]>();
  for (const unit of units) {
    const parent = unit.parentId && ids.has(unit.parentId) ? unit.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), unit]);
  }
  const out: Array<{ id: string; name: string; depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    for (const unit of children.get(parent) ?? []) {
      out.push({ id: unit.id, name: unit.name, depth });
      walk(unit.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** How long a temporary password (create, reset) signs in before the administrator must issue a new one. */
export const TEMPORARY_PASSWORD_HOURS = 72;
const temporaryPasswordExpiry = () => new Date(Date.now() + TEMPORARY_PASSWORD_HOURS * 3600_000);

export async function createStaffAccount(ctx: AppContext, caller: Caller, raw: unknown): Promise<{ username: string; temporaryPassword: string }> {
  const { actor } = administratorOf(caller);
  const input = parseInput(createStaffInput, raw);
  await requireUnit(ctx.db, input.unitId);
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return ctx.db.transaction(async (tx) => {
    const row = await insertNewStaff(tx, {
      username: input.username, fullName: input.fullName.normalize('NFC'), title: input.title.normalize('NFC'), email: input.email ?? null,
      roles: [...new Set(input.roles)], unitId: input.unitId, authority: normaliseAuthority(input.authority), passwordHash, mustChangePassword: true,
      temporaryPasswordExpiresAt: temporaryPasswordExpiry(),
    });
    if (!row) throw new AppError('USERNAME_TAKEN', 'Tên đăng nhập đã có người dùng.', { username: 'Đã có tài khoản với tên đăng nhập này.' });
    await recordAudit(tx, actor, 'staff.created', row.username, {
      fullName: row.fullName, roles: row.roles, unitId: row.unitId, title: row.title, email: row.email, authority: authorityText(row.authority),
    });
    return { username: row.username, temporaryPassword: password };
  });
}

function normaliseAuthority(authority: SigningAuthority | null | undefined): SigningAuthority | null {
  return authority ? { kind: authority.kind, for: authority.for.normalize('NFC').toLocaleUpperCase('vi') } : null;
}

const isActiveAdmin = (staff: Pick<StaffRow, 'active' | 'roles'>) => staff.active && staff.roles.includes('admin');

/** Locks the account (after the administrators, always in that order) or says it does not exist. */
async function lockAccount(tx: Db, username: string): Promise<{ staff: StaffRow; activeAdmins: string[] }> {
  const activeAdmins = await lockActiveAdmins(tx);
  const staff = await lockStaffByUsername(tx, username);
  if (!staff) throw staffNotFound();
  return { staff, activeAdmins };
}

const lastAdmin = () => new AppError('LAST_ADMIN', 'Không thể thực hiện: đây là tài khoản quản trị hệ thống cuối cùng còn hoạt động. '
  + 'Hãy cấp quyền quản trị cho một tài khoản khác trước.');

export async function updateStaffAccount(ctx: AppContext, caller: Caller, username: string, raw: unknown): Promise<StaffAccountView> {
  const { actor } = administratorOf(caller);
  const input = parseInput(updateStaffInput, raw);
  const unit = input.unitId !== undefined ? await requireUnit(ctx.db, input.unitId) : undefined;
  return ctx.db.transaction(async (tx) => {
    const { staff: before, activeAdmins } = await lockAccount(tx, username);
    const next = {
      fullName: input.fullName?.normalize('NFC') ?? before.fullName,
      roles: input.roles ? [...new Set(input.roles)] : before.roles,
      unitId: input.unitId ?? before.unitId,
      title: input.title?.normalize('NFC') ?? before.title,
      email: input.email === undefined ? before.email : input.email,
      authority: input.authority === undefined ? before.authority : normaliseAuthority(input.authority),
      active: input.active ?? before.active,
    };
    if (isActiveAdmin(before) && !isActiveAdmin(next) && activeAdmins.filter((id) => id !== before.id).length === 0) throw lastAdmin();
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of ['fullName', 'roles', 'unitId', 'title', 'email'] as const) {
      if (JSON.stringify(before[key]) !== JSON.stringify(next[key])) changes[key] = { from: before[key], to: next[key] };
    }
    if (authorityText(before.authority) !== authorityText(next.authority)) {
      changes.authority = { from: authorityText(before.authority), to: authorityText(next.authority) };
    }
    const dropTotp = input.totp === false && before.totpSecret !== null;
    const after = await updateStaff(tx, before.id, { ...next, ...(dropTotp ? { totpSecret: null, totpEnabledAt: null } : {}) });
    // Every session ends now: a deactivated account's cookie or bearer token stops working on its next request.
    const endedSessions = before.active && !after.active ? await deleteOtherSessions(tx, after.id, null) : 0;
    await recordUpdate(tx, actor, before, after, { changes, endedSessions, droppedTotp: dropTotp });
    return staffAccountView(after, unit?.name ?? (await findUnit(tx, after.unitId))?.name ?? after.unitId);
  });
}

/** The audit entries of one update: the changed fields, deactivation (with the sessions it ended), reactivation, two-factor. */
async function recordUpdate(
  tx: Db, actor: AuditActor, before: StaffRow, after: StaffRow,
  { changes, endedSessions, droppedTotp }: { changes: Record<string, unknown>; endedSessions: number; droppedTotp: boolean },
): Promise<void> {
  if (Object.keys(changes).length > 0) await recordAudit(tx, actor, 'staff.updated', after.username, { changes });
  if (before.active && !after.active) await recordAudit(tx, actor, 'staff.deactivated', after.username, { endedSessions });
  if (!before.active && after.active) await recordAudit(tx, actor, 'staff.reactivated', after.username, {});
  if (droppedTotp) await recordAudit(tx, actor, 'auth.totp_disabled', after.username, { by: 'admin', wasEnabled: before.totpEnabledAt !== null });
}

/** A new temporary password (shown once): the old one and every session end, and any sign-in block is lifted. */
export async function resetStaffPassword(ctx: AppContext, caller: Caller, username: string): Promise<{ temporaryPassword: string }> {
  const { actor } = administratorOf(caller);
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return ctx.db.transaction(async (tx) => {
    const staff = await lockStaffByUsername(tx, username);
    if (!staff) throw staffNotFound();
    await updateStaff(tx, staff.id, { passwordHash, mustChangePassword: true, temporaryPasswordExpiresAt: temporaryPasswordExpiry(), failedLogins: 0, loginBlockedUntil: null });
    const endedSessions = await deleteOtherSessions(tx, staff.id, null);
    await recordAudit(tx, actor, 'staff.password_reset', staff.username, { endedSessions });
    return { temporaryPassword: password };
  });
}
