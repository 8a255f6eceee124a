// PAdES B-LT for an issued result: once every signer has signed, when some certificate on it names an OCSP
// responder or a CRL, the revocation data and the certificates go into a DSS (signing/ltv.ts), one incremental
// update after the last signature. A verifier can then tell, years later and offline, that no signer's
// certificate was revoked when it signed.
//
// When the responder (or CRL server) does not answer, the result is NOT issued without it: REVOCATION_UNAVAILABLE
// (503) — the issue-result job retries later, an official signing by PIN or device is told to try again in a
// moment — just as an unreachable TSA blocks a PAdES B-T signature (tsa.ts). Reasons: a certificate that names a
// revocation source is one whose issuer expects relying parties to ask, and asking is also how we refuse to issue
// a document signed with a revoked key; a document quietly issued without it would need a flag, a repair job and
// a second version of the file with a different hash than the one already handed to the citizen.
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../errors.js';
import { appendDss, collectValidationData, namesRevocationSources, type RevocationFetcher } from '../../signing/ltv.js';
import { fetchCrl, fetchOcsp, RevocationError } from '../../signing/revocation.js';
import { extractCms } from '../../signing/verify-pdf.js';
import { ownCrlSource } from '../keys/demo-crl.js';

/** OCSP and CRLs over HTTP within REVOCATION_TIMEOUT_MS each; our own demo CRL in-process (no call to ourselves). */
export function revocationFetcher(ctx: AppContext): RevocationFetcher {
  const timeoutMs = ctx.config.revocationTimeoutMs;
  const own = ownCrlSource(ctx);
  return {
    ocsp: (url, request) => fetchOcsp(url, request, timeoutMs),
    crl: async (url) => (await own(url)) ?? fetchCrl(url, timeoutMs),
  };
}

/** `pdf` (fully signed) with its validation data, or unchanged when no certificate on it names a revocation source. */
export async function addValidationData(ctx: AppContext, pdf: Buffer, fetcher = revocationFetcher(ctx)): Promise<Buffer> {
  const signatures = extractCms(pdf);
  if (!namesRevocationSources(signatures)) return pdf;
  let collected;
  try {
    collected = await collectValidationData(signatures, fetcher);
  } catch (error) {
    if (!(error instanceof RevocationError)) throw error;
    ctx.log.warn({ err: error }, 'revocation data unavailable: the result waits');
    throw new AppError('REVOCATION_UNAVAILABLE', 'Chưa lấy được thông tin trạng thái chứng thư số (OCSP/CRL) của người ký; văn bản chưa được phát hành, vui lòng thử lại sau ít phút.');
  }
  const now = Date.now();
  const revoked = collected.checked.find((c) => c.evidence.status === 'revoked' && (c.evidence.revokedAt?.getTime() ?? 0) <= now);
  if (revoked) {
    const name = revoked.certificate.subject.split('\n').find((line) => line.startsWith('CN='))?.slice(3) ?? revoked.certificate.serialNumber;
    throw new AppError('SIGNING_CERTIFICATE_REVOKED', `Chứng thư số "${name}" đã bị thu hồi; văn bản không được phát hành. Quản trị viên cần đăng ký chứng thư số mới.`);
  }
  return appendDss(pdf, collected.dss);
}
