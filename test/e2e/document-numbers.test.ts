// Decree 30 numbers on what motcua issues, over real HTTP in both modes: a diploma copy signed by the demo deputy
// director carries its number in the register of copies issued ("Số vào sổ cấp bản sao: 01/BS-SGDĐT") and his
// authority ("KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC"); the next one takes the next number; a receipt carries its number in
// the Department's outgoing register and the Department's seal; each register line ends up issued.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { findStaffByUsername, updateStaff } from '../../src/db/repositories/staff.js';
import { registeredDocuments } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/db/seed/index.js';
import { previewResult } from '../../src/services/results/preview.js';
import type { Mode } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { eventually } from '../helpers/http.js';
import { pdfsig, pdfText } from '../helpers/pdf-tools.js';
import { signedResult, startHarness, step, type Harness } from './procedures-common.js';

/** pdftotext breaks lines where the layout does: compare with whitespace collapsed. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

const REGISTER_CHECK = { registerBookNumber: 'SG-2019-02', entryNumber: '318/THPT', diplomaNumber: 'B 0777123', issuedDate: '2019-07-10' };

describe.each<Mode>(['production', 'embedded'])('document numbers (%s)', (mode) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(mode, ['clerk', 'specialist', 'leader']); });
  afterAll(async () => { await h?.env.close(); });

  const path = (code: string, rest = '') => `/api/dossiers/${encodeURIComponent(code)}${rest}`;

  async function file(name: string): Promise<{ code: string; trackingToken: string }> {
    const filed = await h.api.submit('diploma-copy', diplomaRequest(name), [{ field: 'identity', name: 'cccd.pdf', data: await makePdf() }]);
    expect(filed.status).toBe(201);
    return filed.body as { code: string; trackingToken: string };
  }

  async function registerLines(code: string, subject: string) {
    const dossier = (await findDossierByCode(h.env.ctx.db, code))!;
    return h.env.ctx.db.select().from(registeredDocuments)
      .where(and(eq(registeredDocuments.dossierId, dossier.id), eq(registeredDocuments.subject, subject)));
  }

  async function registerLine(code: string, subject: string) {
    const rows = await registerLines(code, subject);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  async function formPdf(code: string, kind: string, token: string): Promise<Buffer> {
    return eventually(async () => {
      const response = await h.api.request('GET', path(code, `/forms/${kind}`), { token });
      return response.status === 200 ? Buffer.from(await response.arrayBuffer()) : undefined;
    });
  }

  /** Files, receives (waiting for the receipt), checks the register and approves: the job signs as the demo leader. */
  async function throughToResult(name: string) {
    const { code, trackingToken } = await file(name);
    let version = await step(h, code, 'receive', 'clerk', 1, 'checking');
    const receipt = await formPdf(code, 'receipt', trackingToken);
    version = await step(h, code, 'verify', 'specialist', version, 'awaiting_approval', { data: REGISTER_CHECK });
    // The leader's unsigned preview shows the symbol the copy will have, and takes no number from the register.
    const preview = await previewResult(h.env.ctx, code, await staffCaller(h.env.ctx, 'leader'));
    expect(flat(await pdfText(preview.data))).toContain('Số vào sổ cấp bản sao: …/BS-SGDĐT (dự thảo)');
    expect(await registerLines(code, 'result')).toEqual([]);
    await step(h, code, 'approve', 'leader', version, 'signing');
    const result = await signedResult(h, code, trackingToken);
    return { code, receipt, text: flat(result.text), signature: result.signature };
  }

  it('numbers diploma copies in the register of copies, consecutively, under the deputy director\'s authority', async () => {
    const first = await throughToResult('Lý Thị Mai');
    const second = await throughToResult('Đoàn Văn Hậu');

    // A copy prints its number in the register of copies issued, in the body, and no "Số:" line of the outgoing register.
    expect(first.text).toMatch(/Số vào sổ cấp bản sao: 01\/BS-SGDĐT/);
    expect(second.text).toMatch(/Số vào sổ cấp bản sao: 02\/BS-SGDĐT/);
    expect(first.text).not.toMatch(/Số: \d/);
    // Decree 30 signer block: the authority over the deputy's own title, in capitals, then the name.
    expect(first.text).toMatch(/KT\. GIÁM ĐỐC PHÓ GIÁM ĐỐC[\s\S]*Nguyễn Đức Thắng/);
    // Nơi nhận: the applicant and the file copy kept by the drafting office (its abbreviation).
    expect(first.text).toMatch(/Nơi nhận: - Ông \(bà\) Lý Thị Mai; - Lưu: VT, QLCL\./);
    expect(first.signature.match(/Signature is Valid/g)).toHaveLength(2);

    const line = await registerLine(first.code, 'result');
    expect(line).toMatchObject({
      register: 'copies', year: expect.any(Number), number: 1, symbol: 'BS-SGDĐT', kind: 'copy', status: 'issued',
      signerName: 'Nguyễn Đức Thắng', signerTitle: 'KT. GIÁM ĐỐC, Phó Giám đốc', recipients: ['Ông (bà) Lý Thị Mai', 'Lưu: VT, QLCL'],
    });
    expect(line.issuedAt).toBeInstanceOf(Date);
    expect(line.summary).toContain('Lý Thị Mai');
    expect((await registerLine(second.code, 'result')).number).toBe(2);

    // The receipts were numbered in the Department's outgoing register, one after the other, and sealed by it.
    const receiptText = flat(await pdfText(first.receipt));
    expect(receiptText).toContain('Số: 01/TNHS-SGDĐT');
    expect(flat(await pdfText(second.receipt))).toContain('Số: 02/TNHS-SGDĐT');
    const receiptSignature = await pdfsig(first.receipt);
    expect(receiptSignature.match(/Signature #\d+:/g)).toHaveLength(1);
    expect(receiptSignature).toContain('Signature is Valid');
    expect(receiptSignature).toContain('Sở Giáo dục và Đào tạo Thanh Hóa');
    expect(receiptSignature).toContain('Total document signed');
    expect(await registerLine(first.code, 'form:receipt')).toMatchObject({
      register: 'outgoing', number: 1, symbol: 'TNHS-SGDĐT', kind: 'receipt', status: 'issued', signerName: 'Lê Thị Thu Hà',
    });
  });

  it('numbers the control slip once, sealed, and reprints the same number', async () => {
    const { code, trackingToken } = await file('Tạ Quang Bửu');
    await step(h, code, 'receive', 'clerk', 1, 'checking');
    const slip = await formPdf(code, 'control-slip', trackingToken);
    const number = /Số: (\d+)\/KSHS-SGDĐT/.exec(flat(await pdfText(slip)))?.[1];
    expect(number).toBeDefined();
    expect((await pdfsig(slip))).toContain('Signature is Valid');
    const again = await formPdf(code, 'control-slip', trackingToken);
    expect(flat(await pdfText(again))).toContain(`Số: ${number}/KSHS-SGDĐT`);
    expect(await registerLine(code, 'form:control-slip')).toMatchObject({ number: Number(number), status: 'issued', kind: 'control-slip' });
  });

  it.runIf(mode === 'production')('gives the demo deputy director his authority in a database seeded before it existed', async () => {
    const { ctx } = h.env;
    const leader = (await findStaffByUsername(ctx.db, 'leader'))!;
    await updateStaff(ctx.db, leader.id, { authority: null });
    await seedDemo(ctx.db, ctx.signerKeys, ctx.config.dataDir);
    expect((await findStaffByUsername(ctx.db, 'leader'))!.authority).toEqual({ kind: 'KT', for: 'GIÁM ĐỐC' });
    // An account an administrator has changed (another title) is left as it is.
    await updateStaff(ctx.db, leader.id, { authority: null, title: 'Giám đốc' });
    await seedDemo(ctx.db, ctx.signerKeys, ctx.config.dataDir);
    expect((await findStaffByUsername(ctx.db, 'leader'))!.authority).toBeNull();
    await updateStaff(ctx.db, leader.id, { authority: { kind: 'KT', for: 'GIÁM ĐỐC' }, title: 'Phó Giám đốc' });
  });
});
