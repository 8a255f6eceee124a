// The verifier against hostile input (security audit: a PDF with thousands of /ByteRange entries froze the server):
// one bounded scan, a cap on signatures, bounded dictionaries and /Contents, one-pass revision hashes — and the
// worker-thread pool it runs in (a .ts worker here, under vitest), with its queue and time budget.
import { createHash, createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderResultPdf } from '../../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { signPdf } from '../../src/signing/sign-pdf.js';
import {
  extractCms, findSignatures, MAX_CMS_BYTES, MAX_SIGNATURES, parseCertificates, prefixSha256, TooManySignaturesError, verifyPdfSignatures,
} from '../../src/signing/verify-pdf.js';
import { retainVerifierPool, VerifierBusyError, VerifierTimeoutError, verifyInPool, VERIFIER_MAX_QUEUE, VERIFIER_THREADS } from '../../src/signing/verify-pool.js';
import { heaviestAllowedPdf, manyByteRangesPdf } from '../helpers/hostile-pdf.js';

describe('verifier bounds', () => {
  let ca: CertificateAndKey;
  let signed: Buffer;
  let releasePool: () => Promise<void>;

  beforeAll(async () => {
    releasePool = retainVerifierPool();
    ca = await createCertificateAuthority({ commonName: 'Bounds CA', organisation: 'Sở Giáo dục và Đào tạo' });
    const leader = await issueCertificate(ca, { commonName: 'Nguyễn Đức Thắng', organisation: 'Sở Giáo dục và Đào tạo' });
    const seal = await issueCertificate(ca, { commonName: 'Sở Giáo dục và Đào tạo', organisation: 'Sở Giáo dục và Đào tạo' });
    const unsigned = await renderResultPdf({
      template: 'documents/diploma-copy.hbs', title: 'Bản sao', dossierCode: 'X-1', documentNumber: '1/KQ', verifyUrl: 'http://motcua.test/verify/X-1',
      issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' }, place: 'Thanh Hóa', issuedAt: new Date(),
      signer: { name: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc' }, recipients: [], context: {},
    });
    const as = (c: CertificateAndKey, name: string) => ({ key: createPrivateKey(c.privateKeyPem), certificatePem: c.certificatePem, chainPem: [ca.certificatePem], name });
    signed = await signPdf(await signPdf(unsigned, as(leader, 'Nguyễn Đức Thắng')), as(seal, 'Sở'));
  });
  afterAll(async () => { await releasePool?.(); });

  it('the audit\'s 600 KB file with thousands of /ByteRange entries is refused at the cap, before any entry is checked', () => {
    const hostile = manyByteRangesPdf(600 * 1024);
    expect(hostile.toString('latin1').split('/ByteRange').length - 1).toBeGreaterThan(4000);
    expect(() => findSignatures(hostile)).toThrow(TooManySignaturesError);
    expect(() => verifyPdfSignatures(hostile, [])).toThrow(expect.objectContaining({ name: 'TooManySignaturesError', limit: MAX_SIGNATURES }));
    // One entry over the cap is enough; the cap itself still verifies (each entry reported, none valid).
    const at = (n: number) => Buffer.from(`%PDF-1.7\n${'<< /Type /Sig /ByteRange [0 1 2 3] >>\n'.repeat(n)}`, 'latin1');
    expect(() => verifyPdfSignatures(at(MAX_SIGNATURES + 1), [])).toThrow(TooManySignaturesError);
    const report = verifyPdfSignatures(at(MAX_SIGNATURES), []);
    expect(report.signatures).toHaveLength(MAX_SIGNATURES);
    expect(report.intact).toBe(false);
  });

  it('each entry costs a bounded amount: dictionaries are cut to a window, a /Contents over the limit is not decoded', () => {
    // Twenty entries, each claiming as /Contents a hex string far over the limit and no ">>" for megabytes.
    const hex = `<${'ab'.repeat(MAX_CMS_BYTES + 1)}>`;
    const head = '%PDF-1.7\n';
    const entries = Array.from({ length: MAX_SIGNATURES }, () => `<< /ByteRange [0 ${head.length} ${head.length + hex.length} 0]\n`).join('');
    const pdf = Buffer.from(head + hex + entries + ' '.repeat(2 * 1024 * 1024), 'latin1');
    const found = findSignatures(pdf);
    expect(found).toHaveLength(MAX_SIGNATURES);
    for (const s of found) {
      expect(s.contents.length).toBe(0);
      expect(s.dictionary.length).toBeLessThanOrEqual(4 * 8192 + 128);
    }
    expect(verifyPdfSignatures(pdf, []).signatures[0]!.reasons).toEqual(['chữ ký 1: không đọc được dữ liệu chữ ký (CMS)']);
  });

  it('the dictionary is found on both sides of the /Contents hole, whichever comes first', () => {
    const head = '%PDF-1.7\n1 0 obj\n<< /Type /Sig /SubFilter /ETSI.CAdES.detached /Contents ';
    const hex = '<3000>';
    const tail = ' /M (D:20260102030405+07\'00\') /ByteRange [0 0000000000 0000000000 0000000000] >>\nendobj\n';
    const pdf = Buffer.from(head + hex + tail, 'latin1');
    const close = head.length + hex.length;
    pdf.write(`${String(head.length).padStart(10, '0')} ${String(close).padStart(10, '0')} ${String(pdf.length - close).padStart(10, '0')}`,
      pdf.indexOf('[0 ') + 3, 'latin1');
    const [sig] = findSignatures(pdf);
    expect(sig!.contents.toString('hex')).toBe('3000');
    expect(sig!.dictionary).toContain('/SubFilter /ETSI.CAdES.detached');
    expect(sig!.dictionary).not.toContain('<3000>');
    const [report] = verifyPdfSignatures(pdf, []).signatures;
    expect(report).toMatchObject({ signedAt: '2026-01-01T20:04:05.000Z', subFilter: 'ETSI.CAdES.detached', coversWholeDocument: true });
  });

  it('the revision hashes come from one pass and equal hashing each prefix', () => {
    const lengths = verifyPdfSignatures(signed, []).signatures.map((s) => s.revisionLength);
    const { whole, prefixes } = prefixSha256(signed, [...lengths, signed.length + 1, -1]);
    expect(whole).toBe(createHash('sha256').update(signed).digest('hex'));
    for (const l of lengths) expect(prefixes.get(l)).toBe(createHash('sha256').update(signed.subarray(0, l)).digest('hex'));
    expect(prefixes.has(signed.length + 1)).toBe(false);
  });

  it('in the pool: a real result verifies, the hostile file comes back as too many signatures', async () => {
    const anchors = ca.certificatePem;
    const good = await verifyInPool(signed, anchors);
    expect(good.ok).toBe(true);
    if (!good.ok) return;
    expect(good.report.intact).toBe(true);
    expect(good.report.signatures.map((s) => s.valid)).toEqual([true, true]);
    expect(good.sha256).toBe(createHash('sha256').update(signed).digest('hex'));
    expect(good.revisionSha256[1]).toBe(good.sha256);
    expect(good.revisionSha256[0]).toBe(createHash('sha256').update(signed.subarray(0, good.report.signatures[0]!.revisionLength)).digest('hex'));
    expect(await verifyInPool(manyByteRangesPdf(600 * 1024), anchors)).toEqual({ ok: false, reason: 'too-many-signatures', limit: MAX_SIGNATURES });
    // The caller's buffer is untouched (the pool moves a copy).
    expect(verifyPdfSignatures(signed, parseCertificates(anchors)).intact).toBe(true);
  });

  it('in the pool: the most work the bounds allow still completes, within the budget', async () => {
    const heavy = heaviestAllowedPdf(10 * 1024 * 1024 - 4096, MAX_SIGNATURES, extractCms(signed)[0]);
    const result = await verifyInPool(heavy, ca.certificatePem);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.report.signatures).toHaveLength(MAX_SIGNATURES);
  });

  it('in the pool: over the time budget the thread is stopped and the caller told so; the pool keeps working', async () => {
    const heavy = heaviestAllowedPdf(10 * 1024 * 1024 - 4096, MAX_SIGNATURES, extractCms(signed)[0]);
    await expect(verifyInPool(heavy, ca.certificatePem, { timeoutMs: 1 })).rejects.toBeInstanceOf(VerifierTimeoutError);
    expect((await verifyInPool(signed, ca.certificatePem)).ok).toBe(true);
  });

  it('in the pool: a full queue refuses at once instead of queueing without end', async () => {
    const heavy = heaviestAllowedPdf(2 * 1024 * 1024, MAX_SIGNATURES, extractCms(signed)[0]);
    const outcomes = await Promise.allSettled(Array.from({ length: VERIFIER_MAX_QUEUE * 4 }, () => verifyInPool(heavy, ca.certificatePem)));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(VerifierBusyError);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(VERIFIER_THREADS + VERIFIER_MAX_QUEUE);
    // Refusals free nothing that was admitted, and the pool answers again once the queue drains.
    expect((await verifyInPool(signed, ca.certificatePem)).ok).toBe(true);
  });
});
