// Verification for everyone (POST /api/verify, the public page behind the QR code): every signature checked
// against the configured trust anchors, and the file matched byte for byte to the result motcua issued.
// `valid` means: an unaltered document that motcua issued, signed by trusted keys; anything else says why.
import { createHash, type X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../../app-context.js';
import { findDossierByCode, findDossierById } from '../../db/repositories/dossiers.js';
import { readStoredFile } from '../../db/repositories/files.js';
import { findIssuedDocument } from '../../db/repositories/issued-documents.js';
import { findIssuedBySha256 } from '../../db/repositories/signing.js';
import { AppError } from '../../errors.js';
import { parseCertificates, verifyPdfSignatures } from '../../signing/verify-pdf.js';

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
  if (anchors.length > 0) anchorCache.set(key, anchors);
  return anchors;
}

const MAX_PDF_BYTES = 20 * 1024 * 1024;

export async function verifyDocument(ctx: AppContext, pdf: Buffer): Promise<VerificationResult> {
  if (pdf.length === 0 || pdf.length > MAX_PDF_BYTES || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new AppError('UNSUPPORTED_FILE_TYPE', 'Tệp cần kiểm tra phải là tệp PDF.');
  }
  const report = verifyPdfSignatures(pdf, trustAnchors(ctx));
  const reasons = [...report.reasons];
  for (const s of report.signatures) for (const r of s.reasons) if (!reasons.includes(r)) reasons.push(r);

  // Match the exact bytes to an issued result; failing that, the revision the last signature covered, so an
  // altered copy can still name the dossier it claims to be (and the page can say it is not that document).
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  let issued = await findIssuedBySha256(ctx.db, sha256);
  const matched = Boolean(issued);
  for (const s of [...report.signatures].reverse()) {
    if (issued) break;
    if (s.revisionLength <= pdf.length) issued = await findIssuedBySha256(ctx.db, createHash('sha256').update(pdf.subarray(0, s.revisionLength)).digest('hex'));
  }
  const dossier = issued ? await findDossierById(ctx.db, issued.dossierId) : undefined;
  if (!matched) reasons.push('tệp không trùng khớp với văn bản kết quả do hệ thống cấp');
  const allSigned = report.signatures.length > 0 && report.signatures.every((s) => s.valid);
  return {
    valid: report.intact && allSigned && matched,
    intact: report.intact,
    signatures: report.signatures.map((s) => ({
      signer: s.signer, organisation: s.organisation, signedAt: s.signedAt, valid: s.valid, coversWholeDocument: s.coversWholeDocument, timestampedAt: s.timestampedAt,
    })),
    dossierCode: dossier?.code ?? null,
    reasons,
  };
}

/** What the public QR page shows about a dossier's result: no personal data, only what identifies the document. */
export async function issuedResultSummary(ctx: AppContext, code: string) {
  const dossier = await findDossierByCode(ctx.db, code);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', 'Không tìm thấy hồ sơ.');
  const issued = await findIssuedDocument(ctx.db, dossier.id, 'result');
  if (!issued) return { code: dossier.code, issued: false as const };
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const verification = await verifyDocument(ctx, await readStoredFile(ctx.db, issued.storageKey));
  return {
    code: dossier.code, issued: true as const, title: definition.result.title, procedure: definition.title,
    signedAt: issued.signedAt?.toISOString() ?? null, sha256: issued.sha256, sizeBytes: issued.sizeBytes, verification,
  };
}
