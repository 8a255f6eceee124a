// PAdES B-LT for an issued result: once every signer has signed, when some certificate on it names an OCSP
// responder or a CRL, the revocation data and the certificates go into a DSS (signing/ltv.ts), one incremental
// update after the last signature. A verifier can then tell, years later and offline, that no signer's
// certificate was revoked when it signed. Only certificates that a trust anchor or a signer's registration vouches
// for are asked about: a certificate someone embedded in an uploaded signature cannot make the server fetch the
// URLs it names (server-side request forgery), and requests never go to link-local or (by default) private addresses.
//
// When the responder (or CRL server) does not answer, the result is NOT issued without it: REVOCATION_UNAVAILABLE
// (503) — the issue-result job retries later, an official signing by PIN or device is told to try again in a
// moment — just as an unreachable TSA blocks a PAdES B-T signature (tsa.ts). Reasons: a certificate that names a
// revocation source is one whose issuer expects relying parties to ask, and asking is also how we refuse to issue
// a document signed with a revoked key; a document quietly issued without it would need a flag, a repair job and
// a second version of the file with a different hash than the one already handed to the citizen.
import { X509Certificate } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import { findActiveKey, listKeysWithOwners } from '../../db/repositories/signing.js';
import { AppError } from '../../errors.js';
import {
  appendDss, collectValidationData, namesRevocationSources, signerCertificateOf, type CollectionPolicy, type RevocationFetcher,
} from '../../signing/ltv.js';
import { fetchCrl, fetchOcsp, RevocationError, type FetchPolicy } from '../../signing/revocation.js';
import { extractCms, parseCertificates } from '../../signing/verify-pdf.js';
import { ownCrlSource } from '../keys/demo-crl.js';
import { trustAnchors } from './verify-document.js';

/**
 * OCSP and CRLs over HTTP within REVOCATION_TIMEOUT_MS each, to public addresses only unless
 * REVOCATION_PRIVATE_NETWORKS=allow; our own demo CRL in-process (no call to ourselves).
 */
export function revocationFetcher(ctx: AppContext): RevocationFetcher {
  const policy: FetchPolicy = { timeoutMs: ctx.config.revocationTimeoutMs, allowPrivateNetworks: ctx.config.revocationPrivateNetworks };
  const own = ownCrlSource(ctx);
  return {
    ocsp: (url, request) => fetchOcsp(url, request, policy),
    crl: async (url) => (await own(url)) ?? fetchCrl(url, policy),
  };
}

/**
 * The registered certificates (with their registered chains) of the signers of `signatures`: an agent's or a remote
 * provider's certificate is checked against the registered one before it gets here, and its CA need not be among the
 * trust anchors. Active keys only: a document is completed right after its last signature.
 */
async function registeredChains(ctx: AppContext, signatures: Buffer[]): Promise<X509Certificate[][]> {
  const signers = new Set(signatures.map((cms) => signerCertificateOf(cms)?.fingerprint256).filter((f): f is string => f !== undefined));
  const chains: X509Certificate[][] = [];
  for (const key of await listKeysWithOwners(ctx.db, { active: true })) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(key.certificatePem);
    } catch {
      continue;
    }
    if (!signers.has(certificate.fingerprint256)) continue;
    const row = await findActiveKey(ctx.db, key.staffId ? { staffId: key.staffId } : { unitId: key.unitId! });
    chains.push([certificate, ...(row?.chainPem ?? []).flatMap((pem) => parseCertificates(pem))]);
  }
  return chains;
}

/** Whose revocation sources are asked when `pdf`'s signatures are completed, and how fresh the answers must be. */
export async function collectionPolicy(ctx: AppContext, signatures: Buffer[], now = new Date()): Promise<CollectionPolicy> {
  return { anchors: trustAnchors(ctx), registered: await registeredChains(ctx, signatures), now, maxAgeMs: ctx.config.revocationMaxAgeMs };
}

/**
 * `pdf` (fully signed) with its validation data, or unchanged when no certificate of a trusted or registered chain
 * on it names a revocation source.
 */
export async function addValidationData(ctx: AppContext, pdf: Buffer, fetcher = revocationFetcher(ctx)): Promise<Buffer> {
  const signatures = extractCms(pdf);
  if (!namesRevocationSources(signatures)) return pdf;
  let collected;
  try {
    collected = await collectValidationData(signatures, fetcher, await collectionPolicy(ctx, signatures));
  } catch (error) {
    if (!(error instanceof RevocationError)) throw error;
    ctx.log.warn({ err: error }, 'revocation data unavailable: the result waits');
    throw new AppError('REVOCATION_UNAVAILABLE', 'Chưa lấy được thông tin trạng thái chứng thư số (OCSP/CRL) của người ký; văn bản chưa được phát hành, vui lòng thử lại sau ít phút.');
  }
  if (collected.checked.length === 0) return pdf;
  const now = Date.now();
  const revoked = collected.checked.find((c) => c.evidence.status === 'revoked' && (c.evidence.revokedAt?.getTime() ?? 0) <= now);
  if (revoked) {
    const name = revoked.certificate.subject.split('\n').find((line) => line.startsWith('CN='))?.slice(3) ?? revoked.certificate.serialNumber;
    throw new AppError('SIGNING_CERTIFICATE_REVOKED', `Chứng thư số "${name}" đã bị thu hồi; văn bản không được phát hành. Quản trị viên cần đăng ký chứng thư số mới.`);
  }
  return appendDss(pdf, collected.dss);
}
