// `npm run bench:batch-signing`: approved results signed as ONE remote batch (ký số từ xa: one provider request, one
// confirmation — the simulator confirms at once) against the render-and-sign baseline (a server-held key: the
// issue-result job renders, signs, seals, stores and moves each dossier on), in the same run, the same process and
// the same embedded database. Each side is timed from the first approval until every dossier is result_ready, so
// the remote side also pays for its draft, the second render at the official's request, the provider round trips,
// the poll, and the check of every returned CMS. Prints results/s for both and `remote-batch/baseline ratio: X`.
// Never fails on time; exits 1 only when a side did not finish or a sample result does not verify.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { pino } from 'pino';
import { hashPassword } from '../src/accounts/passwords.js';
import type { AppContext } from '../src/app-context.js';
import { loadConfig } from '../src/config.js';
import { closeContext, createContext } from '../src/context.js';
import { findDossierByCode } from '../src/db/repositories/dossiers.js';
import { readStoredFile } from '../src/db/repositories/files.js';
import { findIssuedDocument } from '../src/db/repositories/issued-documents.js';
import { findStaffByUsername, insertStaff } from '../src/db/repositories/staff.js';
import { submitDossier } from '../src/services/intake/submit-dossier.js';
import { performAction } from '../src/services/processing/perform-action.js';
import { pendingSignatures } from '../src/services/results/batch-sign.js';
import { startRemoteSigning } from '../src/services/results/remote-signing.js';
import { remoteSigningClient } from '../src/signing/remote-signing-client.js';
import { parseCertificates, verifyPdfSignatures } from '../src/signing/verify-pdf.js';
import { startRemoteSigningSimulator } from '../tools/remote-signing-sim/index.js';

const RESULTS = Number(process.env.BENCH_RESULTS ?? 500);
const HOLDER_ID = '038090009999';

async function identityPdf(): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A6' });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.text('Can cuoc cong dan');
  doc.end();
  return done;
}

const caller = async (ctx: AppContext, username: string) => {
  const staff = await findStaffByUsername(ctx.db, username);
  if (!staff) throw new Error(`no staff ${username}`);
  return { kind: 'staff' as const, staff };
};

/** `n` diploma-copy dossiers received and checked, waiting for a leader's approval. */
async function awaitingApproval(ctx: AppContext, n: number): Promise<Array<{ code: string; version: number }>> {
  const identity = await identityPdf();
  const [clerk, specialist] = [await caller(ctx, 'clerk'), await caller(ctx, 'specialist')];
  const out: Array<{ code: string; version: number }> = [];
  for (let i = 0; i < n; i++) {
    const { code } = await submitDossier(ctx, {
      procedureId: 'diploma-copy',
      data: {
        applicantName: `Người nộp ${i}`, applicantIdNumber: '038090001234', applicantPhone: '0912345678', applicantAddress: 'Thanh Hóa',
        relation: 'self', holderName: `Người nộp ${i}`, holderBirthDate: '2001-02-03', diplomaType: 'thpt', school: 'THPT Hàm Rồng',
        graduationYear: 2019, copies: 1,
      },
      files: [{ fieldName: 'identity', fileName: 'cccd.pdf', data: identity }],
    });
    await performAction(ctx, { code, action: 'receive', caller: clerk, version: 1 });
    const checked = await performAction(ctx, {
      code, action: 'verify', caller: specialist, version: 2,
      data: { registerBookNumber: 'SG-01', entryNumber: '77/THPT', diplomaNumber: 'B 1234567', issuedDate: '2019-07-01' },
    });
    out.push({ code, version: checked.version });
  }
  return out;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not reached in ${timeoutMs / 1000} s`);
}

async function allReady(ctx: AppContext, codes: string[]): Promise<boolean> {
  for (const code of codes) if ((await findDossierByCode(ctx.db, code))?.status !== 'result_ready') return false;
  return true;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'motcua-bench-batch-'));
  const clientSecret = randomBytes(16).toString('hex');
  const sim = await startRemoteSigningSimulator({
    clientId: 'bench', clientSecret, autoConfirmMs: 0, holders: [{ userId: HOLDER_ID, name: 'Lê Thị Phương', organisation: 'Sở Giáo dục và Đào tạo Thanh Hóa' }],
  });
  const config = loadConfig({
    NODE_ENV: 'production', DATA_DIR: dataDir, LOG_LEVEL: 'silent', OUTBOX_POLL_MS: '100', INTAKE_RATE_LIMIT: '0',
    INTAKE_CONTACT_HOURLY_LIMIT: '0', INTAKE_CONTACT_DAILY_LIMIT: '0',
    // Both sides without validation data: no server listens here for the demo CA's CRL (PAdES B-LT is measured elsewhere).
    DEMO_CA_CRL: 'off',
    REMOTE_SIGNING_URL: sim.url, REMOTE_SIGNING_CLIENT_ID: 'bench', REMOTE_SIGNING_CLIENT_SECRET: clientSecret, REMOTE_SIGNING_POLL_MS: '100',
  });
  const ctx = await createContext(config, pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }), 'embedded');
  try {
    await ctx.jobs.start();
    await insertStaff(ctx.db, {
      username: 'giamdoc', fullName: 'Lê Thị Phương', title: 'Giám đốc', roles: ['leader'], unitId: 'so-gddt', passwordHash: await hashPassword('demo'),
    });
    const remote = await caller(ctx, 'giamdoc');
    const certificate = await remoteSigningClient(ctx.config).getCertificate(HOLDER_ID);
    await ctx.signerKeys.store({ staffId: remote.staff.id }, { ...certificate, remoteHolderId: HOLDER_ID });
    const leader = await caller(ctx, 'leader');

    console.log(`preparing ${2 * RESULTS} dossiers waiting for approval (embedded PGlite, inline jobs)…`);
    const forBaseline = await awaitingApproval(ctx, RESULTS);
    const forRemote = await awaitingApproval(ctx, RESULTS);

    // Baseline: approval by the leader whose key the server holds; the issue-result job does the rest.
    let started = process.hrtime.bigint();
    for (const d of forBaseline) await performAction(ctx, { code: d.code, action: 'approve', caller: leader, version: d.version });
    await until('baseline results', () => allReady(ctx, forBaseline.map((d) => d.code)));
    const baselineSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    // Remote: approval by the remote official (drafts wait for them), one request for all, one confirmation.
    started = process.hrtime.bigint();
    for (const d of forRemote) await performAction(ctx, { code: d.code, action: 'approve', caller: remote, version: d.version });
    const codes = forRemote.map((d) => d.code);
    await until('remote drafts', async () => (await pendingSignatures(ctx, remote)).filter((p) => p.waitingFor === 'remote').length === codes.length);
    const drafted = Number(process.hrtime.bigint() - started) / 1e9;
    const request = await startRemoteSigning(ctx, remote, { codes });
    const requested = Number(process.hrtime.bigint() - started) / 1e9;
    await until('remote results', () => allReady(ctx, codes));
    const remoteSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const transactions = sim.transactions().filter((t) => t.id === request.transactionId);
    const sample = await findIssuedDocument(ctx.db, (await findDossierByCode(ctx.db, codes.at(-1)!))!.id, 'result');
    const pdf = sample ? await readStoredFile(ctx.db, sample.storageKey) : undefined;
    const anchors = parseCertificates(sim.caCertificatePem + (await import('node:fs')).readFileSync(path.join(dataDir, 'demo-ca', 'ca.crt.pem'), 'utf8'));
    const check = pdf ? verifyPdfSignatures(pdf, anchors) : undefined;
    if (!check?.intact || check.signatures.length !== 2 || !check.signatures.every((s) => s.valid) || transactions[0]?.files.length !== RESULTS) {
      console.error('the remote batch did not produce what it claims:', check?.reasons, transactions[0]?.files.length);
      process.exitCode = 1;
      return;
    }
    const b = RESULTS / baselineSeconds;
    const r = RESULTS / remoteSeconds;
    console.log(`baseline (server-held key, issue-result job: render + leader + seal + store + next step): ${b.toFixed(1)} results/s (${RESULTS} in ${baselineSeconds.toFixed(1)} s)`);
    console.log(`remote batch (one request, one confirmation, ${RESULTS} documents): ${r.toFixed(1)} results/s (${RESULTS} in ${remoteSeconds.toFixed(1)} s; `
      + `drafts ready at ${drafted.toFixed(1)} s, provider request sent at ${requested.toFixed(1)} s, ${sim.requestCount} provider calls)`);
    console.log(`remote-batch/baseline ratio: ${(r / b).toFixed(2)}`);
  } finally {
    await closeContext(ctx);
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
