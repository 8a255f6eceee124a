// Drives dossiers through the services as staff would, for tests that start mid-way.
import type { AppContext } from '../../src/app-context.js';
import { findStaffByUsername, type StaffRow } from '../../src/db/repositories/staff.js';
import type { Caller } from '../../src/services/access.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { makePdf } from './files.js';

export async function staffCaller(ctx: AppContext, username: string): Promise<Caller & { staff: StaffRow }> {
  const staff = await findStaffByUsername(ctx.db, username);
  if (!staff) throw new Error(`no staff account ${username}`);
  return { kind: 'staff', staff };
}

export const diplomaRequest = (name = 'Lê Thị Lan') => ({
  applicantName: name, applicantIdNumber: '038090001234', applicantPhone: '0912345678', applicantAddress: 'Thanh Hóa',
  relation: 'self', holderName: name, holderBirthDate: '2001-02-03', diplomaType: 'thpt', school: 'THPT Hàm Rồng',
  graduationYear: 2019, copies: 1,
});

/** A diploma-copy dossier received and checked, waiting for the leader. */
export async function dossierAwaitingApproval(ctx: AppContext): Promise<{ code: string; version: number }> {
  const { code } = await submitDossier(ctx, {
    procedureId: 'diploma-copy', data: diplomaRequest(), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
  });
  await performAction(ctx, { code, action: 'receive', caller: await staffCaller(ctx, 'clerk'), version: 1 });
  const checked = await performAction(ctx, {
    code, action: 'verify', caller: await staffCaller(ctx, 'specialist'), version: 2,
    data: { registerBookNumber: 'SG-01', entryNumber: '77/THPT', diplomaNumber: 'B 1234567', issuedDate: '2019-07-01' },
  });
  return { code, version: checked.version };
}
