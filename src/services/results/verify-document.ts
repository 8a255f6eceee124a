// Verification for everyone (POST /api/verify, the public page behind the QR code): every signature checked
// against the configured trust anchors, and the file matched byte for byte to the result motcua issued.
// `valid` means: an unaltered document that motcua issued, signed by trusted keys; anything else says why.
// Anyone can send anything here, so the work is bounded: size (MAX_VERIFY_BYTES, also enforced while the upload
// streams), signatures (MAX_SIGNATURES), time (the verifier pool's budget), all CPU work in a worker thread, and
// one query for every candidate hash.
import { createHash, type X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../app-context.js';
import { findDocumentVerification, loadResultSummaryRows, rememberDocumentVerification } from '../../db/repositories/document-verifications.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import { findIssuedBySha256Any } from '../../db/repositories/signing.js';
import { AppError } from '../../errors.js';
import { isVerificationKey } from '../access.js';
import { parseCertificates } from '../../signing/verify-pdf.js';
import { VerifierBusyError, VerifierTimeoutError, verifyInPool } from '../../signing/verify-pool.js';

export interface VerificationResult {
  valid: boolean;
  intact: boolean;
  signatures: Array<{
    signer: string | null;
    organisation: string | null;
    signedAt: string | null;
    valid: boolean;
    coversWholeDocument: boolean;
    timestampedAt: string | null;
    /** The signer's certificate at its signing time, per the OCSP responses / CRLs the document carries (PAdES B-LT). */
    revocation: 'good' | 'revoked' | 'unknown';
    revocationSource: 'ocsp' | 'crl' | null;
  }>;
  dossierCode: string | null;
  reasons: string[];
}

const anchorCache = new Map<string, X509Certificate[]>();

/** TRUST_ANCHORS (a PEM bundle) plus, in the embedded default, the demo CA: read once per process. */
export function trustAnchors(ctx: AppContext): X509Certificate[] {
  const demoCa = path.join(ctx.config.dataDir, 'demo-ca', 'ca.crt.pem');
  const key = `${ctx.config.trustAnchorsFile ?? ''}|${demoCa}`;
  const cached = anchorCache.get(key);
  if (cached) return cached;
  const anchors: X509Certificate[] = [];
  if (ctx.config.trustAnchorsFile) anchors.push(...parseCertificates(readFileSync(ctx.config.trustAnchorsFile, 'utf8')));
  // The demo CA is trusted wherever it exists (embedded default, tests that seed demo staff); a production
  // deployment has none unless someone seeded demo data into it.
  if (existsSync(demoCa)) anchors.push(...parseCertificates(readFileSync(demoCa, 'utf8')));
  // Cached even when empty: with no anchors configured, each QR page view must not look for the demo CA again
  // (existsSync per request). A demo CA created after the first look is trusted from the next start.
  anchorCache.set(key, anchors);
  return anchors;
}

/**
 * The anchors as the PEM bundle the verifier threads receive, and the bundle's SHA-256 that stored verifications are
 * kept under (a changed trust list never answers from a verification made against another), made once per list.
 */
const anchorsPemCache = new WeakMap<X509Certificate[], { pem: string; fingerprint: string }>();
function trustAnchorsPem(ctx: AppContext): { pem: string; fingerprint: string } {
  const anchors = trustAnchors(ctx);
  let bundle = anchorsPemCache.get(anchors);
  if (bundle === undefined) {
    const pem = anchors.map((a) => a.toString()).join('\n');
    bundle = { pem, fingerprint: createHash('sha256').update(pem).digest('hex') };
    anchorsPemCache.set(anchors, bundle);
  }
  return bundle;
}

/**
 * Largest file the verifier accepts, enforced while the upload streams (routes) and here. Issued results weigh a
 * few hundred kilobytes; 10 MB is also the default request-wide upload limit (MAX_UPLOAD_MB).
 */
export const MAX_VERIFY_BYTES = 10 * 1024 * 1024;

/** What the verify routes read of a multipart upload: one file of at most MAX_VERIFY_BYTES. */
export const VERIFY_UPLOAD_LIMITS = { fileSize: MAX_VERIFY_BYTES, files: 1 } as const;

/** Seconds a client is told to wait (Retry-After) when the verifier is busy or ran out of time. */
export const VERIFY_RETRY_AFTER_SECONDS = 5;

/**
 * `handOver`: the caller will not use `pdf` again, so its memory may be moved to the verifier thread rather than
 * copied (the routes pass their freshly read upload); without it the caller's buffer is left as it was.
 */
export async function verifyDocument(ctx: AppContext, pdf: Buffer, options: { handOver?: boolean } = {}): Promise<VerificationResult> {
  if (pdf.length > MAX_VERIFY_BYTES) throw new AppError('FILE_TOO_LARGE', `Tệp cần kiểm tra vượt quá ${MAX_VERIFY_BYTES / 1024 / 1024} MB.`);
  if (pdf.length === 0 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new AppError('UNSUPPORTED_FILE_TYPE', 'Tệp cần kiểm tra phải là tệp PDF.');
  }
  // The same bytes against the same anchors always verify the same way (every signature is judged at its own signing
  // time from what the file carries): an issued result verified once is answered from what was found then.
  const anchors = trustAnchorsPem(ctx);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const remembered = await findDocumentVerification(ctx.db, sha256, anchors.fingerprint);
  if (remembered) return remembered as unknown as VerificationResult;
  let outcome;
  try {
    outcome = await verifyInPool(pdf, anchors.pem, { handOver: options.handOver });
  } catch (error) {
    if (error instanceof VerifierBusyError) throw new AppError('SERVICE_UNAVAILABLE', 'Hệ thống đang kiểm tra nhiều tệp, vui lòng thử lại sau ít giây.');
    if (error instanceof VerifierTimeoutError) throw new AppError('VERIFICATION_TIMEOUT', 'Không kiểm tra xong tệp trong thời gian cho phép, vui lòng thử lại sau.');
    throw error;
  }
  if (!outcome.ok) {
    throw new AppError('TOO_MANY_SIGNATURES', `Tệp có hơn ${outcome.limit} chữ ký số, không phải văn bản kết quả do hệ thống cấp (mỗi văn bản chỉ có vài chữ ký); tệp không được kiểm tra.`);
  }
  const { report } = outcome;
  const reasons = [...report.reasons];
  for (const s of report.signatures) for (const r of s.reasons) if (!reasons.includes(r)) reasons.push(r);

  // Match the exact bytes to an issued result; failing that, the revision the last signature covered, so an
  // altered copy can still name the dossier it claims to be (and the page can say it is not that document).
  // Every candidate goes in one query; the preference (whole file, then the latest revision) is applied here.
  const revisions = outcome.revisionSha256.filter((h): h is string => h !== null).reverse();
  const rows = await findIssuedBySha256Any(ctx.db, [outcome.sha256, ...revisions]);
  const bySha256 = new Map(rows.map((row) => [row.sha256, row]));
  const matched = bySha256.has(outcome.sha256);
  const issued = bySha256.get(outcome.sha256) ?? revisions.map((h) => bySha256.get(h)).find((row) => row !== undefined);
  const dossier = issued ? await findDossierById(ctx.db, issued.dossierId) : undefined;
  if (!matched) reasons.push('tệp không trùng khớp với văn bản kết quả do hệ thống cấp');
  const allSigned = report.signatures.length > 0 && report.signatures.every((s) => s.valid);
  const result: VerificationResult = {
    valid: report.intact && allSigned && matched,
    intact: report.intact,
    signatures: report.signatures.map((s) => ({
      signer: s.signer, organisation: s.organisation, signedAt: s.signedAt, valid: s.valid, coversWholeDocument: s.coversWholeDocument, timestampedAt: s.timestampedAt,
      revocation: s.revocation, revocationSource: s.revocationSource,
    })),
    dossierCode: dossier?.code ?? null,
    reasons,
  };
  // Only a file motcua issued is kept: anyone may upload anything here, and that must not grow the table.
  if (matched) await rememberDocumentVerification(ctx.db, sha256, anchors.fingerprint, result as unknown as Record<string, unknown>);
  return result;
}

/**
 * What the public QR page shows about a dossier's result — no personal data, only what identifies the document — to
 * the holder of the verification key printed with the QR code (services/access.ts). Without the right key, or for a
 * code that does not exist, the answer is the same `undefined`: the page then only offers to check a file, and
 * nobody learns which codes exist or who signed them.
 */
export async function issuedResultSummary(ctx: AppContext, code: string, key: string | undefined) {
  if (!key) return undefined;
  // The dossier, its result and the result's stored verifications in one read, and the key checked before anything
  // else is read or told: a wrong key must not reach the trust anchors (an unreadable TRUST_ANCHORS file would turn
  // it into a 500).
  const rows = await loadResultSummaryRows(ctx.database, code);
  if (!rows || !isVerificationKey(ctx.secret, rows.dossier.id, key)) return undefined;
  const { dossier, issued } = rows;
  if (!issued) return { code: dossier.code, issued: false as const };
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  // The page still shows what was issued when the verifier is busy; it says so instead of listing the signatures.
  let verification: VerificationResult | null = null;
  let verificationUnavailable: string | undefined;
  try {
    // What was found when these bytes were first verified; the stored file is read only the first time.
    // (An unreadable trust list here is no busy verifier: rethrown below, a 500 for the key's holder only.)
    const stored = rows.verificationFor(trustAnchorsPem(ctx).fingerprint);
    verification = stored
      ? stored as unknown as VerificationResult
      : await verifyDocument(ctx, await ctx.files.read(ctx.db, issued.storageKey), { handOver: true });
  } catch (error) {
    if (!(error instanceof AppError) || (error.code !== 'SERVICE_UNAVAILABLE' && error.code !== 'VERIFICATION_TIMEOUT')) throw error;
    verificationUnavailable = error.message;
  }
  return {
    code: dossier.code, issued: true as const, title: definition.result.title, procedure: definition.title,
    signedAt: issued.signedAt?.toISOString() ?? null, sha256: issued.sha256, sizeBytes: issued.sizeBytes, verification, verificationUnavailable,
  };
}
