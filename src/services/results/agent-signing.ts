// Signing with a USB token through the official's local signing agent (VGCA Sign Service style). The page starts
// a session and hands the agent two one-time URLs: one to download the exact file to sign, one to upload it
// signed. The upload is accepted only if it is that file byte for byte plus ONE incremental update adding exactly
// one valid signature, by the official's registered certificate, covering everything, and nothing else
// (signing/incremental-update.ts); then the remaining signers (the seal) follow as after prepare/complete.
// Only the SHA-256 of each token is stored; a token is claimed by one conditional update before anything else, so
// it works once even when two requests race, and a refused upload burns it too (the agent asks for a new session);
// only a failure of ours after the checks passed (a 5xx: the seal's revocation data unreachable, the database)
// gives the token back, so the agent can send the same signed file again while the session lasts (settleUnfinished).
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import {
  claimAgentDownload, claimAgentUpload, findAgentSessionByToken, insertAgentSession, recordAgentOutcome, reopenAgentUpload, type AgentSigningSessionRow,
} from '../../db/repositories/agent-signing.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import { findDraft } from '../../db/repositories/signing.js';
import { findStaffById } from '../../db/repositories/staff.js';
import { signatureFieldName } from '../../documents/signature-stamp.js';
import { AppError } from '../../errors.js';
import { checkIncrement, IncrementRefusal, locateNewSignature } from '../../signing/incremental-update.js';
import { verifyPdfSignatures } from '../../signing/verify-pdf.js';
import type { Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import type { ActionOutcome } from '../processing/perform-action.js';
import { draftFor, finishOfficialSignature, renderForSigning } from './external-signing.js';

/** Long enough to plug in a token and type its PIN; short, since the URLs pass through the official's browser. */
export const AGENT_SESSION_TTL_MS = 5 * 60 * 1000;
/** The signed file the agent uploads: our results are well under 1 MB; a signature adds tens of KB. */
export const MAX_AGENT_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface AgentSession {
  sessionId: string;
  /** GET: the PDF to sign (once). */
  downloadUrl: string;
  /** PUT or POST: the whole signed PDF (once). */
  uploadUrl: string;
  expiresAt: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** 32 random bytes, base64url: what the routes accept as a token (anything else is not looked up). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export async function startAgentSigning(ctx: AppContext, code: string, caller: Caller): Promise<AgentSession> {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  const staff = caller.staff;
  const { dossier, draft, definition } = await draftFor(ctx, code, staff, 'external');
  const mode = await ctx.signerKeys.usableModeFor({ staffId: staff.id }, 'của bạn');
  if (mode?.kind !== 'external') throw new AppError('SIGNING_KEY_MISSING', 'Chưa đăng ký chứng thư số cho thiết bị ký của người ký.');
  // Nothing signed yet: render again so the visible stamps show the time of this signature (as prepare does).
  const { pdf, signedAt } = await renderForSigning(ctx, { dossier, draft, definition }, staff.id);
  const downloadToken = randomBytes(32).toString('base64url');
  const uploadToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + AGENT_SESSION_TTL_MS);
  const row = await insertAgentSession(ctx.db, {
    dossierId: dossier.id, staffId: staff.id, baseSignedCount: draft.signedCount, pdf, certificatePem: mode.certificatePem,
    downloadTokenHash: hashToken(downloadToken), uploadTokenHash: hashToken(uploadToken), expiresAt,
    // The render's own time (not the insert's, a moment later): the upload stores the result with it.
    createdAt: signedAt,
  });
  const base = `${ctx.config.publicUrl}/api/signing-agent`;
  return { sessionId: row.id, downloadUrl: `${base}/${downloadToken}/document`, uploadUrl: `${base}/${uploadToken}/signed`, expiresAt: expiresAt.toISOString() };
}

async function sessionFor(ctx: AppContext, kind: 'download' | 'upload', token: string): Promise<AgentSigningSessionRow> {
  const row = TOKEN_PATTERN.test(token) ? await findAgentSessionByToken(ctx.db, kind, hashToken(token)) : undefined;
  if (!row) throw new AppError('SIGNING_TOKEN_INVALID', 'Đường dẫn ký số không hợp lệ.');
  return row;
}

const expired = () => new AppError('SIGNING_TOKEN_EXPIRED', 'Phiên ký số đã hết hạn: vui lòng bấm "Ký bằng USB token" lại trên trang hồ sơ.');

/** The exact file the agent signs; served once. */
export async function downloadAgentDocument(ctx: AppContext, token: string): Promise<Buffer> {
  const row = await sessionFor(ctx, 'download', token);
  if (row.usedAt) throw new AppError('SIGNING_TOKEN_USED', 'Phiên ký số này đã được sử dụng.');
  if (row.expiresAt.getTime() < Date.now()) throw expired();
  if (!(await claimAgentDownload(ctx.db, row.id, new Date()))) {
    throw new AppError('SIGNING_DOCUMENT_DOWNLOADED', 'Văn bản của phiên ký này đã được tải về; vui lòng bắt đầu phiên ký mới.');
  }
  return row.pdf;
}

/** The checks, in order; each refusal names its stable code. */
async function checkUpload(row: AgentSigningSessionRow, uploaded: Buffer): Promise<void> {
  const signature = locateNewSignature(row.pdf, uploaded);
  // The same per-signature checks as the public verifier (digest, CMS signature, certificate binding, PAdES);
  // trust is the registered certificate itself, compared below.
  const report = verifyPdfSignatures(uploaded, []).signatures.at(-1);
  const problems = report ? report.problems.filter((p) => p.kind !== 'trust' && p.kind !== 'validity').map((p) => p.message) : ['?'];
  if (!report || problems.length > 0) {
    throw new AppError('SIGNATURE_INVALID', `Chữ ký số trong tệp không hợp lệ: ${problems.join('; ').replace(/chữ ký \d+: /g, '')}.`);
  }
  const registered = createHash('sha256').update(new X509Certificate(row.certificatePem).raw).digest('hex');
  if (report.certificateSha256 !== registered) {
    throw new AppError('CERTIFICATE_MISMATCH', 'Tệp được ký bằng chứng thư số khác với chứng thư đã đăng ký cho người ký.');
  }
  // The field named for this signer (render-result lays one out per signer, in signing order).
  await checkIncrement(row.pdf, uploaded, signature, signatureFieldName(row.baseSignedCount));
}

/**
 * The agent's upload: refused with a stable code (and audited, and the session closed) unless it is exactly the
 * served file plus the official's one signature; then the seal, the result and the next state.
 */
export async function completeAgentSigning(ctx: AppContext, token: string, uploaded: Buffer, ip: string | null): Promise<ActionOutcome> {
  const row = await sessionFor(ctx, 'upload', token);
  if (row.usedAt) throw new AppError('SIGNING_TOKEN_USED', 'Phiên ký số này đã được sử dụng: mỗi phiên chỉ nhận một tệp đã ký.');
  if (row.expiresAt.getTime() < Date.now()) throw expired();
  if (!(await claimAgentUpload(ctx.db, row.id, new Date(), 'checking'))) {
    throw new AppError('SIGNING_TOKEN_USED', 'Phiên ký số này đã được sử dụng: mỗi phiên chỉ nhận một tệp đã ký.');
  }
  const [staff, dossier] = await Promise.all([findStaffById(ctx.db, row.staffId), findDossierById(ctx.db, row.dossierId)]);
  if (!staff || !dossier) throw new AppError('INTERNAL_ERROR', 'agent session without its official or dossier');
  const actor = staffActor(staff, ip);
  try {
    await checkUpload(row, uploaded);
  } catch (error) {
    const refusal = error instanceof IncrementRefusal ? new AppError(error.code, error.reason) : error;
    if (!(refusal instanceof AppError) || refusal.statusCode >= 500) {
      await settleUnfinished(ctx, row, error);
      throw error;
    }
    await ctx.db.transaction(async (tx) => {
      await recordAgentOutcome(tx, row.id, `refused:${refusal.code}`);
      await recordAudit(tx, actor, 'result.signature_refused', dossier.code, {
        method: 'agent', code: refusal.code, reason: refusal.message, sizeBytes: uploaded.length,
        sha256: createHash('sha256').update(uploaded).digest('hex'),
      });
    });
    throw refusal;
  }
  const draft = await findDraft(ctx.db, dossier.id);
  const stale = () => new AppError('SIGNING_NOT_PENDING', 'Văn bản đã thay đổi kể từ khi bắt đầu phiên ký (đã được ký hoặc phê duyệt lại): vui lòng ký lại.');
  if (!draft || draft.waitingFor !== 'external' || draft.signedCount !== row.baseSignedCount || draft.signerStaffId !== row.staffId) {
    await recordAgentOutcome(ctx.db, row.id, 'stale');
    throw stale();
  }
  try {
    return await finishOfficialSignature(ctx, {
      dossier, draft, signed: uploaded, baseSignedCount: row.baseSignedCount, signedAt: row.createdAt, method: 'agent', actor,
      // Two hand-outs of the same draft racing: finishOfficialSignature's claim locks the draft, the first to store wins.
      claim: (tx) => recordAgentOutcome(tx, row.id, 'signed'),
    });
  } catch (error) {
    await settleUnfinished(ctx, row, error);
    throw error;
  }
}

/**
 * The outcome of an upload that passed the checks (or failed in them through no fault of the file) but was not
 * stored. Only a session still 'checking' is settled — one whose result was stored says 'signed', and a failure
 * after that (moving the dossier on) is the recovery sweep's. A 4xx is final: the document moved on ('stale') or
 * another refusal of ours. A 5xx is ours or a service's (the seal's revocation data or time stamp unreachable, the
 * database): the token is given back until the session expires — every check runs again on the next upload, the
 * claim is taken again atomically, and the official need not sign again (a new session would serve a newly
 * rendered file, so the signature already made would be lost). If even that cannot be written, the session stays
 * 'checking' and the official starts a new one.
 */
async function settleUnfinished(ctx: AppContext, row: AgentSigningSessionRow, error: unknown): Promise<void> {
  const code = error instanceof AppError ? error.code : 'INTERNAL_ERROR';
  const status = error instanceof AppError ? error.statusCode : 500;
  try {
    if (status >= 500) await reopenAgentUpload(ctx.db, row.id, `retryable:${code}`);
    else await recordAgentOutcome(ctx.db, row.id, code === 'SIGNING_NOT_PENDING' ? 'stale' : `failed:${code}`, 'checking');
  } catch (settling) {
    ctx.log.error({ err: settling, agentSession: row.id }, 'agent signing session left in "checking"');
  }
}
