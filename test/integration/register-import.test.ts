// The master register: CSV import (the service and `npm run import:register`), all-or-nothing with line numbers on
// errors, upsert on re-import; the specialist's lookup pre-fills the register check; with no match the specialist
// types the details from the paper register or refuses with a reason.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findByDiplomaNumber } from '../../src/db/repositories/registers.js';
import { holderKey } from '../../src/registers/register-row.js';
import { importRegisterCsv } from '../../src/services/processing/master-register.js';
import { startHarness, step, uploads, type Harness } from '../e2e/procedures-common.js';

const run = promisify(execFile);
let h: Harness;
beforeAll(async () => { h = await startHarness('production', ['clerk', 'specialist', 'leader', 'school']); });
afterAll(async () => { await h?.env.close(); });

const HEADER = 'diplomaType,holderName,holderBirthDate,school,graduationYear,registerBookNumber,entryNumber,diplomaNumber,issuedDate,classification';

const request = (overrides: Record<string, unknown> = {}) => ({
  applicantName: 'Võ Thị Hoa', applicantIdNumber: '038190001111', applicantPhone: '0911222333', applicantAddress: 'Thanh Hóa',
  relation: 'self', holderName: 'Võ Thị Hoa', holderBirthDate: '2002-08-09', diplomaType: 'thpt', school: 'THPT Hàm Rồng',
  graduationYear: 2020, copies: 1, ...overrides,
});

describe('master register', () => {
  it('normalises holder names for matching', () => {
    expect(holderKey('  Võ   Thị HOA ')).toBe('vo thi hoa');
    expect(holderKey('Đặng Đức'.normalize('NFD'))).toBe('dang duc');
  });

  it('imports nothing from a file with a bad row and names the line', async () => {
    const csv = `${HEADER}\nthpt,Võ Thị Hoa,2002-08-09,THPT Hàm Rồng,2020,SG-2020-05,0555/THPT,B 0555555,2020-07-18,Khá\nthpt,,2002-13-09,THPT Hàm Rồng,abc,SG,1,B 1,2020-07-18,\n`;
    const outcome = await importRegisterCsv(h.env.ctx.db, csv);
    expect(outcome.imported).toBe(0);
    expect(outcome.errors.map((e) => e.line)).toEqual([3]);
    expect(outcome.errors[0]!.message).toMatch(/holderName/);
    expect(await findByDiplomaNumber(h.env.ctx.db, 'thpt', 'B 0555555')).toBeUndefined();
  });

  it('imports with `npm run import:register -- file.csv`, and re-importing updates', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-register-'));
    try {
      const file = path.join(dir, 'so-goc.csv');
      await writeFile(file, `\uFEFF${HEADER}\nthpt,Võ Thị Hoa,2002-08-09,THPT Hàm Rồng,2020,SG-2020-05,0555/THPT,B 0555555,2020-07-18,Khá\n`);
      const dbUrl = h.env.config.database.kind === 'postgres' ? h.env.config.database.url : '';
      const env = { ...process.env, DATABASE_URL: dbUrl, APP_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' };
      const { stdout } = await run('npx', ['tsx', 'src/cli/import-register.ts', file], { env });
      expect(stdout).toMatch(/1 register entries imported or updated \(postgres\)/);
      expect(await findByDiplomaNumber(h.env.ctx.db, 'thpt', 'B 0555555')).toMatchObject({ holderName: 'Võ Thị Hoa', classification: 'Khá' });
      const again = await importRegisterCsv(h.env.ctx.db, `${HEADER}\nthpt,Võ Thị Hoa,2002-08-09,THPT Hàm Rồng,2020,SG-2020-05,0555/THPT,B 0555555,2020-07-18,Giỏi\n`);
      expect(again).toEqual({ imported: 1, errors: [] });
      expect((await findByDiplomaNumber(h.env.ctx.db, 'thpt', 'B 0555555'))!.classification).toBe('Giỏi');
      await writeFile(file, `${HEADER}\ncertificate,X,2002-08-09,Y,2020,S,1,N,not-a-date,\n`);
      const failed = await run('npx', ['tsx', 'src/cli/import-register.ts', file], { env }).catch((e: { code: number; stderr: string }) => e);
      expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/so-goc\.csv:2: issuedDate/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('pre-fills the register check from a match and issues the copy from it', async () => {
    const { code, trackingToken } = (await h.api.submit('diploma-copy', request({ holderName: 'VÕ THỊ HOA' }), await uploads(['identity']))).body;
    const lookupPath = `/api/dossiers/${encodeURIComponent(code)}/register-lookup`;
    expect((await h.api.json('GET', lookupPath, { token: trackingToken })).status).toBe(401);
    expect((await h.api.json('GET', lookupPath, { token: h.tokens.school! })).status).toBe(403);
    let v = await step(h, code, 'receive', 'clerk', 1, 'checking');
    const lookup = await h.api.json('GET', lookupPath, { token: h.tokens.specialist! });
    expect(lookup.status).toBe(200);
    expect(lookup.body.prefill).toEqual({
      registerBookNumber: 'SG-2020-05', entryNumber: '0555/THPT', diplomaNumber: 'B 0555555', issuedDate: '2020-07-18', classification: 'Giỏi', registerSource: 'register',
    });
    v = await step(h, code, 'verify', 'specialist', v, 'awaiting_approval', { data: lookup.body.prefill });
    await step(h, code, 'approve', 'leader', v, 'signing');
  });

  it('with no match: enters the paper register by hand, or refuses with a reason', async () => {
    const first = (await h.api.submit('diploma-copy', request({ holderName: 'Trương Văn Cũ', graduationYear: 1989, holderBirthDate: '1971-02-02' }), await uploads(['identity']))).body;
    let v = await step(h, first.code, 'receive', 'clerk', 1, 'checking');
    const none = await h.api.json('GET', `/api/dossiers/${encodeURIComponent(first.code)}/register-lookup`, { token: h.tokens.specialist! });
    expect(none.body).toEqual({ matches: [], prefill: null });
    v = await step(h, first.code, 'verify', 'specialist', v, 'awaiting_approval', {
      data: { registerBookNumber: 'Quyển 3/1989', entryNumber: '112', diplomaNumber: 'A 009911', issuedDate: '1989-07-30', registerSource: 'paper' },
    });
    const second = (await h.api.submit('diploma-copy', request({ holderName: 'Người Không Có' }), await uploads(['identity']))).body;
    const v2 = await step(h, second.code, 'receive', 'clerk', 1, 'checking');
    await step(h, second.code, 'refuse', 'specialist', v2, 'rejected', { comment: 'Không tìm thấy trong sổ gốc điện tử và sổ giấy' });
  });

  it('ships a demo register', async () => {
    expect(await findByDiplomaNumber(h.env.ctx.db, 'thpt', 'B 0456789')).toMatchObject({ holderName: 'Nguyễn Thị Hồng Nhung', classification: 'Giỏi' });
  });
});
