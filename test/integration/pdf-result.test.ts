// The signed result PDF end to end with the real tools: pdftotext reads it, pdfsig and openssl verify it.
// Needs no database: only poppler and openssl.
import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serifFontDescription } from '../../src/documents/fonts.js';
import { renderResultPdf, type ResultDocumentInput } from '../../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/signing/keys.js';
import { signPdf, SigningError } from '../../src/signing/sign-pdf.js';
import { flipSignedByte, pdfsig, pdfText } from '../helpers/pdf-tools.js';

const run = promisify(execFile);

const HOLDER = 'Nguyễn Thị Hồng Nhung';
const VERIFY_URL = 'http://localhost:3000/verify/AB12CD34EF';
const DOSSIER = '000.00.xx.H56-261122-0001';

function input(overrides: Partial<ResultDocumentInput> = {}): ResultDocumentInput {
  return {
    template: 'documents/diploma-copy.hbs',
    title: 'Bản sao văn bằng',
    dossierCode: DOSSIER,
    documentNumber: '0001/SGDĐT-QLCL',
    verifyUrl: VERIFY_URL,
    issuer: { parentName: 'UBND tỉnh Thanh Hóa', agencyName: 'Sở Giáo dục và Đào tạo' },
    place: 'Thanh Hóa',
    issuedAt: new Date('2026-11-22T03:00:00Z'),
    signer: { name: 'Lê Văn Bình', title: 'KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC' },
    recipients: [`Ông (bà) ${HOLDER}`.normalize('NFD'), 'Lưu: VT, QLCL'],
    context: {
      // Decomposed input (as some keyboards and macOS file names produce) must come out precomposed.
      holderName: HOLDER.normalize('NFD'),
      holderBirthDate: '2003-02-05',
      diplomaTypeLabel: 'Bằng tốt nghiệp trung học phổ thông',
      school: 'Trường THPT chuyên Lam Sơn',
      graduationYear: 2021,
      copies: 2,
      applicantName: HOLDER.normalize('NFD'),
      forms: {
        register_check: {
          registerBookNumber: '03/2021',
          entryNumber: '1234/THPT-2021',
          diplomaNumber: 'B0123456',
          issuedDate: '2021-08-15',
          classification: 'Giỏi',
        },
      },
      legalBasis: [
        'Thông tư số 21/2019/TT-BGDĐT ngày 29 tháng 11 năm 2019 của Bộ trưởng Bộ Giáo dục và Đào tạo ban hành Quy chế quản lý bằng tốt nghiệp trung học cơ sở, bằng tốt nghiệp trung học phổ thông, văn bằng giáo dục đại học và chứng chỉ của hệ thống giáo dục quốc dân',
        'Nghị định số 23/2015/NĐ-CP ngày 16 tháng 02 năm 2015 của Chính phủ về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký và chứng thực hợp đồng, giao dịch',
      ],
    },
    ...overrides,
  };
}

/** /ByteRange and the DER CMS inside /Contents (the hex placeholder is zero-padded after the DER). */
function extractSignature(pdf: Buffer): { ranges: [number, number, number, number]; cms: Buffer; signed: Buffer } {
  const match = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1'));
  if (!match) throw new Error('no /ByteRange');
  const ranges = match.slice(1, 5).map(Number) as [number, number, number, number];
  const [start1, length1, start2, length2] = ranges;
  const hex = pdf.toString('latin1', start1 + length1 + 1, start2 - 1);
  const contents = Buffer.from(hex, 'hex');
  const lengthByte = contents[1] ?? 0;
  const lengthBytes = lengthByte & 0x80 ? lengthByte & 0x7f : 0;
  const bodyLength = lengthBytes ? contents.readUIntBE(2, lengthBytes) : lengthByte;
  const cms = contents.subarray(0, 2 + lengthBytes + bodyLength);
  const signed = Buffer.concat([pdf.subarray(start1, start1 + length1), pdf.subarray(start2, start2 + length2)]);
  return { ranges, cms, signed };
}

describe('result PDF: render, sign, verify', () => {
  let dir: string;
  let ca: CertificateAndKey;
  let leaf: CertificateAndKey;
  let key: KeyObject;
  let unsigned: Buffer;
  let signed: Buffer;

  const sign = (pdf: Buffer): Promise<Buffer> =>
    signPdf(pdf, {
      key,
      certificatePem: leaf.certificatePem,
      chainPem: [ca.certificatePem],
      name: 'Lê Văn Bình',
      reason: 'Phê duyệt kết quả giải quyết hồ sơ',
      location: 'Thanh Hóa',
      signingTime: new Date(),
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-pdf-result-'));
    ca = await createCertificateAuthority({
      commonName: 'motcua Test CA',
      organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa',
    });
    leaf = await issueCertificate(ca, {
      commonName: 'Lê Văn Bình',
      organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa',
      title: 'Phó Giám đốc',
      email: 'binh@example.vn',
    });
    key = createPrivateKey(leaf.privateKeyPem);
    await writeFile(path.join(dir, 'ca.pem'), ca.certificatePem);
    await writeFile(path.join(dir, 'leaf.pem'), leaf.certificatePem);
    unsigned = await renderResultPdf(input());
    signed = await sign(unsigned);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the holder (NFC), the dossier code, the national heading and the verify URL', async () => {
    const text = (await pdfText(signed)).replace(/\s+/g, ' ');
    expect(text).toContain(HOLDER.normalize('NFC'));
    expect(text).toContain(HOLDER.toLocaleUpperCase('vi-VN'));
    expect(text).not.toContain(HOLDER.normalize('NFD'));
    expect(text).toContain(DOSSIER);
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toContain('Thanh Hóa, ngày 22 tháng 11 năm 2026');
    expect(text).toContain('BẢN SAO VĂN BẰNG');
    expect(text).toContain(VERIFY_URL);
    expect(text).toContain('B0123456');
    expect(text).toContain('Giỏi');
  });

  it('is accepted by pdfsig as a valid CAdES signature', async () => {
    const report = await pdfsig(signed);
    expect(report).toContain('Signature is Valid');
    expect(report).toContain('ETSI.CAdES.detached');
    expect(report).toContain('Lê Văn Bình');
    expect(report).toContain('Total document signed');
  });

  it('is no longer valid once one signed byte changes', async () => {
    const report = await pdfsig(flipSignedByte(signed));
    expect(report).not.toContain('Signature is Valid');
    expect(report).toMatch(/Digest Mismatch|Invalid|not valid/i);
  });

  it('carries a CMS that openssl verifies over the signed byte ranges', async () => {
    const { ranges, cms, signed: content } = extractSignature(signed);
    expect(ranges[0]).toBe(0);
    expect(ranges[2] + ranges[3]).toBe(signed.length);
    await writeFile(path.join(dir, 'sig.der'), cms);
    await writeFile(path.join(dir, 'content.bin'), content);
    const { stderr } = await run('openssl', [
      'cms', '-verify', '-binary', '-inform', 'DER',
      '-in', path.join(dir, 'sig.der'),
      '-content', path.join(dir, 'content.bin'),
      '-CAfile', path.join(dir, 'ca.pem'),
      '-purpose', 'any',
      '-out', os.devNull,
    ]);
    expect(stderr).toMatch(/Verification successful/);
    const { stdout } = await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', path.join(dir, 'sig.der')]);
    expect(stdout).toContain('id-smime-aa-signingCertificateV2');
    expect(stdout).not.toContain('signingTime');
  });

  it('issues a leaf certificate that openssl verifies against the CA', async () => {
    const { stdout } = await run('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'leaf.pem')]);
    expect(stdout.trim()).toMatch(/: OK$/);
  });

  it('also signs with the adbe.pkcs7.detached sub-filter', async () => {
    const pdf = await signPdf(unsigned, {
      key,
      certificatePem: leaf.certificatePem,
      chainPem: [ca.certificatePem],
      name: 'Lê Văn Bình',
      subFilter: 'adbe.pkcs7.detached',
    });
    const report = await pdfsig(pdf);
    expect(report).toContain('Signature is Valid');
    expect(report).toContain('adbe.pkcs7.detached');
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const other = await issueCertificate(ca, { commonName: 'Người khác', organisation: 'Sở GD&ĐT' });
    await expect(
      signPdf(unsigned, { key: createPrivateKey(other.privateKeyPem), certificatePem: leaf.certificatePem, name: 'x' }),
    ).rejects.toBeInstanceOf(SigningError);
  });

  it('renders and signs 20 documents (timing printed, not asserted)', async () => {
    const count = 20;
    let renderMs = 0;
    let signMs = 0;
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const pdf = await renderResultPdf(
        input({ dossierCode: `000.00.xx.H56-261122-${String(i + 1).padStart(4, '0')}` }),
      );
      const rendered = performance.now();
      await sign(pdf);
      signMs += performance.now() - rendered;
      renderMs += rendered - started;
    }
    console.log(
      `[pdf-result] ${serifFontDescription()}: render ${(renderMs / count).toFixed(1)} ms, ` +
        `sign ${(signMs / count).toFixed(1)} ms per document (average of ${count})`,
    );
    expect(renderMs).toBeGreaterThan(0);
  });
});
