// The form jobs are idempotent: run again, or twice at once, for the same event they leave one document and no
// orphan file; each new event that issues the same form gets the next ordinal instead. An agency without a seal key on
// the server still issues its forms (unsigned).
import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDossierByCode } from '../../src/db/repositories/dossiers.js';
import { readStoredFile } from '../../src/db/repositories/files.js';
import { deactivateKey, findActiveKey } from '../../src/db/repositories/signing.js';
import { issuedDocuments, registeredDocuments, storedFiles } from '../../src/db/schema/index.js';
import { runJob } from '../../src/jobs/registry.js';
import { performAction } from '../../src/services/processing/perform-action.js';
import { submitDossier } from '../../src/services/intake/submit-dossier.js';
import { startTestEnvironment, type TestEnvironment } from '../helpers/context.js';
import { diplomaRequest, staffCaller } from '../helpers/dossiers.js';
import { makePdf } from '../helpers/files.js';
import { pdfsig, pdfText } from '../helpers/pdf-tools.js';

describe('one-stop form jobs (production)', () => {
  let env: TestEnvironment;
  beforeAll(async () => { env = await startTestEnvironment('production'); });
  afterAll(async () => { await env?.close(); });

  const issued = async (dossierId: string) =>
    env.ctx.db.select().from(issuedDocuments).where(and(eq(issuedDocuments.dossierId, dossierId), like(issuedDocuments.kind, 'receipt%')));
  const issuedFiles = async () => (await env.ctx.db.select({ n: sql<number>`count(*)::int` }).from(storedFiles).where(like(storedFiles.key, 'issued/%')))[0]!.n;

  it('running the receipt job again, and twice at once, keeps one receipt and one stored file', async () => {
    const { code } = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest('Đinh Công Tráng'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    await performAction(env.ctx, { code, action: 'receive', caller: await staffCaller(env.ctx, 'clerk'), version: 1 });
    await env.ctx.jobs.idle(20_000);
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const [first] = await issued(dossier.id);
    expect(first).toMatchObject({ kind: 'receipt', signerStaffId: null });
    const filesBefore = await issuedFiles();

    const payload = { dossierId: dossier.id, dossierVersion: 2 };
    await runJob(env.ctx, 'issue-receipt', payload);
    await Promise.all([runJob(env.ctx, 'issue-receipt', payload), runJob(env.ctx, 'issue-receipt', payload)]);
    const after = await issued(dossier.id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: first!.id, sha256: first!.sha256, storageKey: first!.storageKey });
    expect(await issuedFiles()).toBe(filesBefore);
  });

  it('numbers a second receipt (received again after a supplement) instead of overwriting the first', async () => {
    const clerk = await staffCaller(env.ctx, 'clerk');
    const { code, trackingToken } = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest('Bà Triệu'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    await performAction(env.ctx, { code, action: 'receive', caller: clerk, version: 1 });
    await performAction(env.ctx, { code, action: 'request_supplement', caller: await staffCaller(env.ctx, 'specialist'), version: 2, comment: 'Thiếu giấy ủy quyền.' });
    await performAction(env.ctx, { code, action: 'resubmit', caller: { kind: 'public', bearer: trackingToken }, version: 3 });
    await performAction(env.ctx, { code, action: 'receive', caller: clerk, version: 4 });
    await env.ctx.jobs.idle(20_000);
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const rows = await issued(dossier.id);
    expect(rows.map((r) => r.kind).sort()).toEqual(['receipt', 'receipt-2']);
    // Re-running the first event's job still maps to the first receipt.
    await runJob(env.ctx, 'issue-receipt', { dossierId: dossier.id, dossierVersion: 2 });
    expect(await issued(dossier.id)).toHaveLength(2);
  });

  it('issues a form unsigned, and still numbered, when the agency has no seal key on the server', async () => {
    const seal = await findActiveKey(env.ctx.db, { unitId: 'so-gddt' });
    expect(seal).toBeDefined();
    await deactivateKey(env.ctx.db, seal!.id);
    const { code } = await submitDossier(env.ctx, {
      procedureId: 'diploma-copy', data: diplomaRequest('Cao Bá Quát'), files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: await makePdf() }],
    });
    await performAction(env.ctx, { code, action: 'receive', caller: await staffCaller(env.ctx, 'clerk'), version: 1 });
    await env.ctx.jobs.idle(20_000);
    const dossier = (await findDossierByCode(env.ctx.db, code))!;
    const [receipt] = await issued(dossier.id);
    expect(receipt).toBeDefined();
    const pdf = await readStoredFile(env.ctx.db, receipt!.storageKey);
    expect(await pdfsig(pdf)).not.toContain('Signature #1');
    expect((await pdfText(pdf)).replace(/\s+/g, ' ')).toMatch(/Số: \d{2}\/TNHS-SGDĐT/);
    const [line] = await env.ctx.db.select().from(registeredDocuments)
      .where(and(eq(registeredDocuments.dossierId, dossier.id), eq(registeredDocuments.subject, 'form:receipt')));
    expect(line).toMatchObject({ status: 'issued', kind: 'receipt' });
  });
});
