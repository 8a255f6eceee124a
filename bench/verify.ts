// `npm run bench:verify`: what verifying a PDF costs (POST /api/verify, the QR page) and what a hostile file can make
// it cost. A real result (rendered, leader signature + seal) is verified in-process and through the worker-thread
// pool; then the security audit's file (thousands of /ByteRange entries) and the most work the bounds allow (10 MB,
// 20 signatures each over the whole file), each as a ratio to the normal result; then the main thread's worst
// event-loop delay while those run in the pool against running the heaviest one in-process; and last the scan the
// verifier had before the fix, on the audit's file, for comparison. Prints figures; never fails on time.
import { createPrivateKey } from 'node:crypto';
import { renderResultPdf } from '../src/documents/render-result.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../src/signing/keys.js';
import { signPdf } from '../src/signing/sign-pdf.js';
import { extractCms, MAX_SIGNATURES, parseCertificates, verifyPdfSignatures } from '../src/signing/verify-pdf.js';
import { retainVerifierPool, VERIFIER_THREADS, verifyInPool } from '../src/signing/verify-pool.js';
import { heaviestAllowedPdf, manyByteRangesPdf } from '../test/helpers/hostile-pdf.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const HOSTILE_KB = Number(process.env.BENCH_HOSTILE_KB ?? 600);

/** Runs `fn` repeatedly for `seconds` (`inFlight` at a time); returns calls per second and ms per call. */
async function rate(fn: () => Promise<unknown> | unknown, seconds: number, inFlight = 1): Promise<{ perSecond: number; ms: number; n: number }> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < end) { await fn(); n++; }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: n / elapsed, ms: (elapsed * 1000 * inFlight) / n, n };
}

async function timeOnce(fn: () => Promise<unknown> | unknown, repeat = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!; // median
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The longest gap between ticks of a 1 ms interval timer on the main thread while `fn` runs. */
async function loopDelayDuring(fn: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await sleep(20);
  worst = 0;
  await fn();
  await sleep(20);
  clearInterval(timer);
  return worst;
}

/** The scan before the fix (findSignatures, 2026-11): backwards search, forwards search and hex decode per entry. */
function legacyScan(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  let found = 0;
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [, length1, start2] = m.slice(1, 5).map(Number) as [number, number, number, number];
    const dictStart = text.lastIndexOf('<<', m.index);
    const dictEnd = text.indexOf('>>', start2);
    text.slice(dictStart, dictEnd + 2);
    if (text[length1] === '<' && text[start2 - 1] === '>') Buffer.from(text.slice(length1 + 1, start2 - 1), 'hex');
    found++;
  }
  return found;
}

async function main(): Promise<void> {
  const ca = await createCertificateAuthority({ commonName: 'Bench CA', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' });
  const party = async (name: string) => ({ name, cert: await issueCertificate(ca, { commonName: name, organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' }) });
  const sign = (pdf: Buffer, p: { name: string; cert: CertificateAndKey }) => signPdf(pdf, {
    key: createPrivateKey(p.cert.privateKeyPem), certificatePem: p.cert.certificatePem, chainPem: [ca.certificatePem], name: p.name,
  });
  const unsigned = await renderResultPdf({
    template: 'documents/diploma-copy.hbs', title: 'BẢN SAO VĂN BẰNG, CHỨNG CHỈ TỪ SỔ GỐC', dossierCode: '000.00.12.H56-261122-0001',
    documentNumber: '1/2026/KQ', verifyUrl: 'http://localhost:3000/verify/000.00.12.H56-261122-0001',
    issuer: { parentName: 'UBND TỈNH THANH HÓA', agencyName: 'SỞ GIÁO DỤC VÀ ĐÀO TẠO' }, place: 'Thanh Hóa', issuedAt: new Date(),
    signer: { name: 'Nguyễn Đức Thắng', title: 'Phó Giám đốc' }, recipients: ['Lưu: VT'], context: {},
  });
  const result = await sign(await sign(unsigned, await party('Nguyễn Đức Thắng')), await party('Sở Giáo dục và Đào tạo Thanh Hóa'));
  const anchors = parseCertificates(ca.certificatePem);
  const anchorsPem = ca.certificatePem;
  const hostile = manyByteRangesPdf(HOSTILE_KB * 1024);
  const heaviest = heaviestAllowedPdf(10 * 1024 * 1024 - 64 * 1024, MAX_SIGNATURES, extractCms(result)[0]);

  const release = retainVerifierPool();
  try {
    // The outputs must be what they claim before anything is timed.
    const check = await verifyInPool(result, anchorsPem);
    if (!check.ok || !check.report.intact || !check.report.signatures.every((s) => s.valid)) throw new Error('the signed result does not verify');
    const refused = await verifyInPool(hostile, anchorsPem);
    if (refused.ok) throw new Error('the hostile file was not refused');
    const heavy = await verifyInPool(heaviest, anchorsPem);
    if (!heavy.ok || heavy.report.signatures.length !== MAX_SIGNATURES) throw new Error('the heaviest file did not verify to the end');
    for (let i = 0; i < 50; i++) { verifyPdfSignatures(result, anchors); await verifyInPool(result, anchorsPem); } // warm-up

    const inProcess = await rate(() => verifyPdfSignatures(result, anchors), SECONDS);
    const pooled = await rate(() => verifyInPool(result, anchorsPem), SECONDS);
    const pooledParallel = await rate(() => verifyInPool(result, anchorsPem), SECONDS, VERIFIER_THREADS * 2);
    console.log(`normal result (${check.report.signatures.length} signatures, ${(result.length / 1024).toFixed(0)} KB):`);
    console.log(`  in-process          ${inProcess.perSecond.toFixed(0)}/s (${inProcess.ms.toFixed(2)} ms)`);
    console.log(`  pool, 1 in flight   ${pooled.perSecond.toFixed(0)}/s (${pooled.ms.toFixed(2)} ms incl. the copy to the thread and back)`);
    console.log(`  pool, ${VERIFIER_THREADS * 2} in flight   ${pooledParallel.perSecond.toFixed(0)}/s (${VERIFIER_THREADS} thread${VERIFIER_THREADS > 1 ? 's' : ''})`);

    const normalMs = await timeOnce(() => verifyInPool(result, anchorsPem), 21);
    const hostileMs = await timeOnce(() => verifyInPool(hostile, anchorsPem), 11);
    const heaviestMs = await timeOnce(() => verifyInPool(heaviest, anchorsPem), 5);
    const entries = hostile.toString('latin1').split('/ByteRange').length - 1;
    console.log(`audit's file (${(hostile.length / 1024).toFixed(0)} KB, ${entries} /ByteRange entries): refused (TOO_MANY_SIGNATURES) in ${hostileMs.toFixed(1)} ms`);
    console.log(`heaviest file the bounds allow (${(heaviest.length / 1024 / 1024).toFixed(1)} MB, ${MAX_SIGNATURES} signatures over the whole file): ${heaviestMs.toFixed(0)} ms`);

    // The routes hand their freshly read upload over (moved to the thread, not copied); a copy is what others get.
    const loopIdle = await loopDelayDuring(() => sleep(heaviestMs));
    const [ownHeaviest, ownHostile] = [Buffer.from(heaviest), Buffer.from(hostile)];
    const loopHandedOver = await loopDelayDuring(async () => {
      await verifyInPool(ownHeaviest, anchorsPem, { handOver: true });
      await verifyInPool(ownHostile, anchorsPem, { handOver: true });
    });
    const loopCopied = await loopDelayDuring(async () => { await verifyInPool(heaviest, anchorsPem); await verifyInPool(hostile, anchorsPem); });
    const loopInProcess = await loopDelayDuring(async () => { await sleep(5); verifyPdfSignatures(heaviest, anchors); });
    console.log(`main thread's worst event-loop delay (idle: ${loopIdle.toFixed(1)} ms) while the heaviest and the audit's file are verified: `
      + `${loopHandedOver.toFixed(1)} ms in the pool (handed over), ${loopCopied.toFixed(1)} ms in the pool (copied), ${loopInProcess.toFixed(0)} ms in-process`);

    const legacyMs = await timeOnce(() => legacyScan(hostile), 1);
    console.log(`the scan before the fix on the audit's file: ${legacyMs.toFixed(0)} ms (scan only, before its per-entry hashing and queries)`);
    console.log(`hostile/normal time ratio: ${(hostileMs / normalMs).toFixed(1)} (normal ${normalMs.toFixed(2)} ms through the pool)`);
    console.log(`heaviest/normal time ratio: ${(heaviestMs / normalMs).toFixed(0)}`);
  } finally {
    await release();
  }
}

await main();
