// `npm run bench:signing`: issued results per second — render the result document and apply both signatures
// (the leader's, then the organisation's seal: two PAdES incremental updates, CMS via node-forge ASN.1, RSA via
// node:crypto) — against a baseline in the same run: the same pdfkit render plus ONE bare node:crypto RSA
// signature over the bytes (no PDF signature structure at all). Prints both rates, the cost of one PAdES
// signature alone, and last `signing/baseline ratio: X` (aim ≥ 0.7). Never fails on time.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { renderResultPdf, type ResultDocumentInput } from '../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate } from '../src/signing/keys.js';
import { signPdf } from '../src/signing/sign-pdf.js';
import { parseCertificates, verifyPdfSignatures } from '../src/signing/verify-pdf.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SLICE_MS = 500;

const input = (n: number): ResultDocumentInput => ({
  template: 'documents/diploma-copy.hbs',
  title: 'BẢN SAO VĂN BẰNG, CHỨNG CHỈ TỪ SỔ GỐC',
  dossierCode: `000.00.12.H56-261122-${String(n % 10000).padStart(4, '0')}`,
  documentNumber: `${n}/2026/KQ`,
  verifyUrl: `http://localhost:3000/verify/000.00.12.H56-261122-${n}`,
  issuer: { parentName: 'UBND TỈNH THANH HÓA', agencyName: 'SỞ GIÁO DỤC VÀ ĐÀO TẠO' },
  place: 'Thanh Hóa',
  issuedAt: new Date(),
  signer: { name: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc' },
  recipients: ['Nguyễn Thị Hồng Nhung', 'Lưu: VT'],
  context: {
    holderName: 'Nguyễn Thị Hồng Nhung', holderBirthDate: '2004-03-15', diplomaTypeLabel: 'Bằng tốt nghiệp trung học phổ thông',
    school: 'Trường THPT chuyên Lam Sơn', graduationYear: 2022, copies: 2, applicantName: 'Trần Văn Bình',
    forms: { register_check: { registerBookNumber: 'SG-01', entryNumber: '77/THPT', diplomaNumber: 'B 0456789', issuedDate: '2022-07-01' } },
    legalBasis: ['Thông tư số 21/2019/TT-BGDĐT', 'Nghị định số 23/2015/NĐ-CP'],
  },
});

interface Party { key: KeyObject; certificatePem: string; chainPem: string[]; name: string }

async function main(): Promise<void> {
  const ca = await createCertificateAuthority({ commonName: 'Bench CA', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
  const party = async (name: string): Promise<Party> => {
    const c = await issueCertificate(ca, { commonName: name, organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
    return { key: createPrivateKey(c.privateKeyPem), certificatePem: c.certificatePem, chainPem: [ca.certificatePem], name };
  };
  const leader = await party('Nguyễn Đức Thắng');
  const seal = await party('Sở Giáo dục và Đào tạo Thanh Hóa');
  const signAs = (pdf: Buffer, p: Party) => signPdf(pdf, { key: p.key, certificatePem: p.certificatePem, chainPem: p.chainPem, name: p.name, reason: 'Phó Giám đốc, Sở Giáo dục và Đào tạo', location: 'Thanh Hóa' });

  const issue = async (n: number) => signAs(await signAs(await renderResultPdf(input(n)), leader), seal);
  const baseline = async (n: number) => {
    const pdf = await renderResultPdf(input(n));
    return sign('sha256', pdf, leader.key);
  };

  // The output must be what it claims: two valid signatures, the last over the whole file.
  const sample = await issue(0);
  const check = verifyPdfSignatures(sample, parseCertificates(ca.certificatePem));
  if (!check.intact || check.signatures.length !== 2 || !check.signatures.every((s) => s.valid)) {
    console.error('the signed sample does not verify:', check.reasons);
    process.exitCode = 1;
    return;
  }
  // Warm-up: fonts parsed, certificates cached, JIT settled.
  for (let i = 0; i < 20; i++) { await issue(i); await baseline(i); }

  // Short alternating slices, so load from anything else on the machine hits both sides alike.
  const totals = { signed: { n: 0, s: 0 }, base: { n: 0, s: 0 } };
  const slice = async (fn: (n: number) => Promise<unknown>, into: { n: number; s: number }) => {
    const end = Date.now() + SLICE_MS;
    const started = process.hrtime.bigint();
    while (Date.now() < end) await fn(into.n++);
    into.s += Number(process.hrtime.bigint() - started) / 1e9;
  };
  const slices = Math.max(2, Math.round((SECONDS * 1000) / SLICE_MS));
  for (let i = 0; i < slices; i++) {
    await slice(baseline, totals.base);
    await slice(issue, totals.signed);
  }
  const b = totals.base.n / totals.base.s;
  const s = totals.signed.n / totals.signed.s;
  console.log(`baseline (pdfkit render + 1 node:crypto RSA sign): ${b.toFixed(1)}/s (${totals.base.n} in ${totals.base.s.toFixed(1)} s)`);
  console.log(`signed results (render + leader PAdES + seal PAdES): ${s.toFixed(1)}/s (${totals.signed.n} in ${totals.signed.s.toFixed(1)} s)`);
  const rendered = await renderResultPdf(input(1));
  const once = { n: 0, s: 0 };
  for (let i = 0; i < 4; i++) await slice(() => signAs(rendered, leader), once);
  console.log(`one PAdES signature (placeholder + CMS + RSA): ${((once.s * 1000) / once.n).toFixed(2)} ms`);
  console.log(`signing/baseline ratio: ${(s / b).toFixed(2)}`);
}

await main();
