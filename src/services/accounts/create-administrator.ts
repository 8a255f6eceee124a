// The first administrator of an empty production database (`npm run admin:create`, src/cli/admin-create.ts), and any
// later one made the same way. Every account needs a unit (staff_accounts.unit_id is NOT NULL, a foreign key), and an
// empty database has none: until the first-run set-up (services/administration/setup.ts) creates the Department's
// units, administrators wait in a holding unit "Quản trị hệ thống" under a holding agency. The set-up moves them to the
// Department's board and deletes both rows. Chosen over a migration that makes the unit optional because every reader
// of an account (reach, inbox, signing, the pages) can keep taking its unit for granted.
import { z } from 'zod';
import { hashPassword } from '../../accounts/passwords.js';
import type { Db } from '../../db/client.js';
import { EVERY_PROCEDURE, readOrganisationSettings, resolveUnitRole } from '../../db/repositories/administration.js';
import { findStaffByUsername, findUnit, insertNewStaff, upsertAgency, upsertUnit, type StaffRow } from '../../db/repositories/staff.js';
import { AppError, validationFailed } from '../../errors.js';
import { recordAudit, SYSTEM_ACTOR, type AuditActor } from '../audit/audit.js';
import { passwordWeakness } from './auth.js';

/** The holding agency and unit of administrators created before the set-up (never used for dossiers). */
export const HOLDING_AGENCY_CODE = 'quan-tri-he-thong';
export const HOLDING_UNIT_ID = 'quan-tri-he-thong';
const HOLDING_NAME = 'Quản trị hệ thống';

/** Who the audit log names for an account made from the command line. */
export const CLI_ACTOR: AuditActor = { ...SYSTEM_ACTOR, name: 'Dòng lệnh (npm run admin:create)' };

/** Sign-in lower-cases and trims the username: accounts are stored that way. */
export const usernameSchema = z.string().trim().toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,39}$/, 'Tên đăng nhập gồm 3–40 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch nối, gạch dưới; bắt đầu bằng chữ hoặc số.');

export const administratorInputSchema = z.object({
  username: usernameSchema,
  fullName: z.string().trim().min(2, 'Họ tên quá ngắn.').max(100, 'Họ tên dài quá 100 ký tự.').transform((v) => v.normalize('NFC')),
  password: z.string().max(200, 'Mật khẩu dài quá 200 ký tự.'),
  title: z.string().trim().min(1).max(100).default(HOLDING_NAME),
  /** A unit that exists; by default the Department's board once set up, else the holding unit. */
  unitId: z.string().trim().min(1).optional(),
});
export type AdministratorInput = z.input<typeof administratorInputSchema>;

export function usernameTaken(username: string): AppError {
  return new AppError('USERNAME_TAKEN', `Tên đăng nhập "${username}" đã có tài khoản.`, { username: 'Đã có tài khoản với tên đăng nhập này.' });
}

/** Creates an account with the single role `admin`; refuses a taken username and a weak password. */
export async function createAdministrator(db: Db, raw: AdministratorInput, actor: AuditActor = CLI_ACTOR): Promise<StaffRow> {
  const parsed = administratorInputSchema.safeParse(raw);
  if (!parsed.success) {
    // The command line shows only the message: it names every field's problem.
    const fields = validationFailed(parsed.error).fields ?? {};
    throw validationFailed(parsed.error, Object.values(fields).join(' '));
  }
  const input = parsed.data;
  const weakness = passwordWeakness(input.password, input.username);
  if (weakness) throw new AppError('PASSWORD_WEAK', weakness, { password: weakness });
  if (await findStaffByUsername(db, input.username)) throw usernameTaken(input.username);
  // scrypt before the transaction: it takes tens of milliseconds and needs no row.
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const unitId = await unitForAdministrator(tx, input.unitId);
    const staff = await insertNewStaff(tx, {
      username: input.username, fullName: input.fullName, title: input.title, roles: ['admin'], unitId, passwordHash,
    });
    // Nothing inserted: another process took the name after the check above.
    if (!staff) throw usernameTaken(input.username);
    await recordAudit(tx, actor, 'staff.created', staff.username, { roles: ['admin'], unitId, fullName: staff.fullName });
    return staff;
  });
}

async function unitForAdministrator(db: Db, requested: string | undefined): Promise<string> {
  if (requested) {
    if (!(await findUnit(db, requested))) throw new AppError('VALIDATION_FAILED', `Không có đơn vị "${requested}".`, { unitId: 'Không có đơn vị này.' });
    return requested;
  }
  const settings = await readOrganisationSettings(db);
  const board = settings.setupCompletedAt ? await resolveUnitRole(db, EVERY_PROCEDURE, 'leadership') : undefined;
  if (board) return board;
  await upsertAgency(db, {
    code: HOLDING_AGENCY_CODE, name: HOLDING_NAME, kind: 'department', place: '',
    parentName: 'Tạm thời, đến khi hoàn tất thiết lập ban đầu', abbreviation: null, parentCode: null,
  });
  await upsertUnit(db, { id: HOLDING_UNIT_ID, agencyCode: HOLDING_AGENCY_CODE, parentId: null, name: HOLDING_NAME, kind: 'board' });
  return HOLDING_UNIT_ID;
}
