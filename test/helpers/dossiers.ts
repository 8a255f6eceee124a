// Drives dossiers through the services as staff would, for tests that start mid-way.
import type { AppContext } from '../../src/app-context.js';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { readStoredFile } from '../../src/db/repositories/files.js';
import { findIssuedDocument } from '../../src/db/repositories/issued-documents.js';
import { findStaffByUsername, type StaffRow } from '../../src/db/repositories/staff.js';
import type { Caller } from '../../src/services/access.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { expect } from 'vitest';
import { makePdf, makePng } from './files.js';
import { eventually, type ApiClient } from './http.js';

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

/** A dossier the official (`token`) approved, waiting for their external (USB token / agent) signature; its code. */
export async function dossierAwaitingExternalSignature(ctx: AppContext, api: ApiClient, token: string): Promise<string> {
  const waiting = await dossierAwaitingApproval(ctx);
  expect((await api.act(waiting.code, 'approve', token, { version: waiting.version })).body.status).toBe('signing');
  await eventually(async () => {
    const pending = await api.json('GET', '/api/signatures/pending', { token });
    return pending.body.items.some((i: { code: string; waitingFor: string }) => i.code === waiting.code && i.waitingFor === 'external') ? true : undefined;
  });
  return waiting.code;
}

/** A school's dossier as a parent files it: a transfer between two schools in the province (the school handles it). */
export async function submitSchoolTransfer(ctx: AppContext): Promise<Awaited<ReturnType<typeof submitDossier>>> {
  const pdf = await makePdf();
  return submitDossier(ctx, {
    procedureId: 'school-transfer',
    data: {
      parentName: 'Phạm Thị Thu', parentIdNumber: '038185004321', parentPhone: '0987654321', parentEmail: 'thu@example.vn',
      parentAddress: 'Phường Đông Thọ, TP Thanh Hóa', pupilName: 'Phạm Gia Bảo', pupilBirthDate: '2010-09-01', grade: '10',
      scope: 'within', currentSchool: 'thpt-lam-son', targetSchool: 'thpt-dao-duy-tu', reason: 'Gia đình chuyển nơi ở',
    },
    files: [
      { fieldName: 'application', fileName: 'don.pdf', data: pdf }, { fieldName: 'schoolRecord', fileName: 'hoc-ba.png', data: makePng() },
      { fieldName: 'admissionCertificate', fileName: 'giay-bao.pdf', data: pdf },
    ],
  });
}

/** A dossier the leader approves, once its result is signed and sealed: the issued result PDF. */
export async function approvedResultPdf(ctx: AppContext): Promise<Buffer> {
  const waiting = await dossierAwaitingApproval(ctx);
  await performAction(ctx, { code: waiting.code, action: 'approve', caller: await staffCaller(ctx, 'leader'), version: waiting.version });
  const dossier = await eventually(async () => {
    const d = await findDossierByCode(ctx.db, waiting.code);
    return d?.status === 'result_ready' ? d : undefined;
  });
  return readStoredFile(ctx.db, (await findIssuedDocument(ctx.db, dossier.id, 'result'))!.storageKey);
}

/** The register entry a specialist confirms for a diploma copy ('verify'). */
export const REGISTER_ENTRY = { registerBookNumber: 'SG-2019-02', entryNumber: '88/THPT', diplomaNumber: 'B 7654321', issuedDate: '2019-07-01' };

/**
 * A received diploma-copy dossier (`checking`, at `version`) taken through the API as staff do: the specialist confirms
 * the register entry, the leader approves, and the result is signed and sealed by the job. The dossier at result_ready.
 */
export async function diplomaToResultViaApi(ctx: AppContext, api: ApiClient, code: string, version: number) {
  const [specialist, leader] = [await api.login('specialist'), await api.login('leader')];
  expect((await api.act(code, 'verify', specialist, { version, data: REGISTER_ENTRY })).body.status).toBe('awaiting_approval');
  expect((await api.act(code, 'approve', leader, { version: version + 1 })).body.status).toBe('signing');
  return eventually(async () => {
    const d = await findDossierByCode(ctx.db, code);
    return d?.status === 'result_ready' ? d : undefined;
  }, 40_000);
}
