// The CPU part of verifying an uploaded PDF, run in a worker thread (verify-pool.ts) so a large or hostile file
// never blocks the server's event loop: every signature checked, plus the SHA-256 of the whole file and of each
// signed revision, which the caller matches against issued results in one query.
import type { X509Certificate } from 'node:crypto';
import { parseCertificates, prefixSha256, TooManySignaturesError, verifyPdfSignatures, type PdfVerification } from './verify-pdf.js';

export interface VerifyTask {
  /** The file's bytes (a transferred copy). */
  pdf: Uint8Array;
  /** The trust anchors as one PEM bundle (certificates do not cross threads; their PEM does). */
  anchorsPem: string;
}

export type VerifyTaskResult =
  | {
    ok: true;
    report: PdfVerification;
    /** SHA-256 (hex) of the whole file. */
    sha256: string;
    /** Per signature, in file order: SHA-256 of the revision it signed, or null when that is not a prefix of the file. */
    revisionSha256: Array<string | null>;
  }
  | { ok: false; reason: 'too-many-signatures'; limit: number };

// The same few anchors come with every task: parse them once per thread.
let anchorCache: { pem: string; certificates: X509Certificate[] } | undefined;

export function runVerifyTask(task: VerifyTask): VerifyTaskResult {
  const pdf = Buffer.from(task.pdf.buffer, task.pdf.byteOffset, task.pdf.byteLength);
  if (anchorCache?.pem !== task.anchorsPem) anchorCache = { pem: task.anchorsPem, certificates: parseCertificates(task.anchorsPem) };
  let report: PdfVerification;
  try {
    report = verifyPdfSignatures(pdf, anchorCache.certificates);
  } catch (error) {
    if (error instanceof TooManySignaturesError) return { ok: false, reason: 'too-many-signatures', limit: error.limit };
    throw error;
  }
  const lengths = report.signatures.map((s) => s.revisionLength);
  const { whole, prefixes } = prefixSha256(pdf, lengths);
  return { ok: true, report, sha256: whole, revisionSha256: lengths.map((l) => prefixes.get(l) ?? null) };
}

// piscina calls the default export with each task.
export default runVerifyTask;
