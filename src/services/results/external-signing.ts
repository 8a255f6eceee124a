// External signing (USB token, remote-signing service): the private key never reaches the server.
// prepare: the draft gets its signature field as an incremental update and /ByteRange is fixed; we store that exact
//   file and return the DER signed attributes (and their SHA-256) plus the certificate we expect.
// complete: the raw signature and the signer's certificate; the certificate must be the expected one and the
//   signature must verify over exactly those signed attributes, else nothing is embedded. Then the remaining
//   signers (the seal) are applied, the result stored, and the dossier moves on. A preparation expires and is
//   used once; a preparation made before the draft moved on cannot complete it.
import { createHash, verify as rawVerify, X509Certificate } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import {
  findDraft, findPreparation, insertPreparation, markPreparationCompleted, upsertDraft, type SigningDraftRow,
} from '../../db/repositories/signing.js';
import type { StaffRow } from '../../db/repositories/staff.js';
import { AppError, dossierNotFound } from '../../errors.js';
import { prepareDetachedCms } from '../../signing/cms.js';
import { embedCms, preparePdfSignature, reopenPrepared, type PreparedPdfSignature } from '../../signing/sign-pdf.js';
import { loadDossierFor, type Caller } from '../access.js';
import { applySigners, issuingAgency, leaderReason, renderResult, storeResult, timestampOption } from './render-and-sign.js';
import { signatureAppearance } from './signature-appearance.js';
import { systemActionIn } from '../../workflow/engine.js';
import type { WorkflowDefinition } from '../../workflow/types.js';
import { performAction, type ActionOutcome } from '../processing/perform-action.js';
import { recordAudit, staffActor, type AuditActor } from '../audit/audit.js';

export const PREPARATION_TTL_MS = 10 * 60 * 1000;
// Room for a long chain from a commercial CA and a timestamp token.
const EXTERNAL_RESERVE_BYTES = 24 * 1024;

export interface Preparation {
  preparationId: string;
  expiresAt: string;
  /** DER of the CMS signed attributes (a SET): what a signer that hashes itself must sign with SHA-256. */
  signedAttributes: string;
  /** SHA-256 of signedAttributes, for tokens and services that sign a hash. Base64. */
  digest: string;
  digestAlgorithm: 'SHA-256';
  /** The certificate the signature must come with (PEM). */
  certificate: string;
}

/** The signed-in official, or 401. */
export function staffOf(caller: Caller): StaffRow {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  return caller.staff;
}

/** The draft of `code` that waits for this official, or a precise refusal. */
export async function draftFor(ctx: AppContext, code: string, staff: StaffRow, waitingFor: SigningDraftRow['waitingFor']) {
  // Only staff who may see the dossier learn whether anything waits on it (others: 403 UNIT_FORBIDDEN, as elsewhere).
  const { dossier } = await loadDossierFor(ctx, code, { kind: 'staff', staff });
  const draft = await findDraft(ctx.db, dossier.id);
  if (!draft || draft.waitingFor !== waitingFor) {
    throw new AppError('SIGNING_NOT_PENDING', waitingFor === 'external' ? 'Hồ sơ không chờ ký bằng thiết bị ký số.' : 'Hồ sơ không chờ ký bằng mã PIN.');
  }
  if (draft.signerStaffId !== staff.id) throw new AppError('FORBIDDEN', 'Văn bản này chờ chữ ký của người khác.');
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  return { dossier, draft, definition };
}

export interface DraftForSigning {
  dossier: dossiers.DossierRow;
  definition: WorkflowDefinition;
  draft: SigningDraftRow;
}

/**
 * The file the official signs and the time it shows: nothing signed yet, the result is rendered again so the stamps
 * (and the date and number line) show the time of this signature; otherwise the draft as it is. `signedAt` is the
 * exact Date the render used, kept with the hand-out and stored with the result (register line, signing time).
 */
export async function renderForSigning(ctx: AppContext, { dossier, definition, draft }: DraftForSigning, staffId: string): Promise<{ pdf: Buffer; signedAt: Date }> {
  const signedAt = new Date();
  const pdf = draft.signedCount === 0 ? await renderResult(ctx, dossier, definition, staffId, signedAt) : draft.pdf;
  return { pdf, signedAt };
}

/**
 * The official's signature field appended to the file they sign (its stamp as the appearance, /ByteRange fixed) for a
 * key held outside the server (USB token, remote-signing provider): what they sign is `prepared.contentDigest`.
 */
export async function prepareOfficialSignature(
  ctx: AppContext, input: DraftForSigning, staff: StaffRow, key: { certificatePem: string; chainPem: string[] }, reserveBytes: number,
): Promise<{ prepared: PreparedPdfSignature; signedAt: Date }> {
  const { dossier, definition, draft } = input;
  const agency = await issuingAgency(ctx, dossier);
  if (!agency) throw new AppError('INTERNAL_ERROR', 'agency missing');
  const { pdf, signedAt } = await renderForSigning(ctx, input, staff.id);
  const prepared = preparePdfSignature(pdf, {
    certificatePem: key.certificatePem, chainPem: key.chainPem, name: staff.fullName, reason: leaderReason(staff, agency),
    location: agency.place, signingTime: signedAt, reserveBytes,
    appearance: await signatureAppearance(ctx, dossier, definition, staff.id, draft.signedCount, signedAt),
  });
  return { prepared, signedAt };
}

export async function prepareExternalSignature(ctx: AppContext, code: string, caller: Caller): Promise<Preparation> {
  const staff = staffOf(caller);
  const found = await draftFor(ctx, code, staff, 'external');
  const { dossier, draft } = found;
  const mode = await ctx.signerKeys.usableModeFor({ staffId: staff.id }, 'của bạn');
  if (mode?.kind !== 'external') throw new AppError('SIGNING_KEY_MISSING', 'Chưa đăng ký chứng thư số cho thiết bị ký của người ký.');
  const { prepared, signedAt } = await prepareOfficialSignature(ctx, found, staff, mode, EXTERNAL_RESERVE_BYTES);
  const cms = prepareDetachedCms({ contentDigest: prepared.contentDigest, certificate: mode.certificatePem, chain: mode.chainPem });
  const expiresAt = new Date(Date.now() + PREPARATION_TTL_MS);
  const row = await insertPreparation(ctx.db, {
    dossierId: dossier.id, staffId: staff.id, baseSignedCount: draft.signedCount, pdf: prepared.pdf, signedAttributes: cms.signedAttributes,
    certificatePem: mode.certificatePem, chainPem: mode.chainPem, expiresAt,
    // The render's own time (not the insert's, a moment later): complete stores the result with it.
    createdAt: signedAt,
  });
  return {
    preparationId: row.id, expiresAt: expiresAt.toISOString(), signedAttributes: cms.signedAttributes.toString('base64'),
    digest: createHash('sha256').update(cms.signedAttributes).digest('base64'), digestAlgorithm: 'SHA-256', certificate: mode.certificatePem,
  };
}

export interface CompleteInput { preparationId: string; signature: string; certificate: string }

export async function completeExternalSignature(ctx: AppContext, code: string, caller: Caller, input: CompleteInput): Promise<ActionOutcome> {
  const staff = staffOf(caller);
  const { dossier } = await loadDossierFor(ctx, code, caller);
  const prep = /^[0-9a-f-]{36}$/i.test(input.preparationId) ? await findPreparation(ctx.db, input.preparationId) : undefined;
  if (!prep || prep.dossierId !== dossier.id || prep.staffId !== staff.id) throw new AppError('PREPARATION_NOT_FOUND', 'Không tìm thấy phiên chuẩn bị ký.');
  if (prep.completedAt) throw new AppError('SIGNING_NOT_PENDING', 'Phiên chuẩn bị ký này đã được sử dụng.');
  if (prep.expiresAt.getTime() < Date.now()) throw new AppError('PREPARATION_EXPIRED', 'Phiên chuẩn bị ký đã hết hạn, vui lòng chuẩn bị lại.');

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(input.certificate);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Chứng thư số không hợp lệ.', { certificate: 'Cần chứng thư X.509 dạng PEM.' });
  }
  if (!certificate.raw.equals(new X509Certificate(prep.certificatePem).raw)) {
    throw new AppError('CERTIFICATE_MISMATCH', 'Chứng thư số không phải chứng thư đã đăng ký cho người ký.');
  }
  const signature = Buffer.from(input.signature, 'base64');
  let verified = false;
  try {
    verified = signature.length > 0 && rawVerify('sha256', prep.signedAttributes, certificate.publicKey, signature);
  } catch {
    verified = false;
  }
  if (!verified) throw new AppError('SIGNATURE_INVALID', 'Chữ ký số không khớp với dữ liệu cần ký hoặc với chứng thư.');

  const draft = await findDraft(ctx.db, dossier.id);
  if (!draft || draft.waitingFor !== 'external' || draft.signedCount !== prep.baseSignedCount || draft.signerStaffId !== prep.staffId) {
    throw new AppError('SIGNING_NOT_PENDING', 'Văn bản đã thay đổi kể từ khi chuẩn bị ký, vui lòng chuẩn bị lại.');
  }
  // Rebuild the CMS around the stored file: the same digest and certificate give the same signed attributes.
  const prepared = reopenPrepared(prep.pdf);
  const cms = prepareDetachedCms({ contentDigest: prepared.contentDigest, certificate: prep.certificatePem, chain: prep.chainPem });
  if (!cms.signedAttributes.equals(prep.signedAttributes)) throw new AppError('INTERNAL_ERROR', 'prepared document does not match its signed attributes');
  const timestamp = timestampOption(ctx).timestamp;
  const signed = embedCms(prepared, cms.assemble(signature, timestamp ? await timestamp(signature) : undefined));

  return finishOfficialSignature(ctx, {
    // prepare wrote the render's time as the preparation's created_at.
    dossier, draft, signed, baseSignedCount: prep.baseSignedCount, signedAt: prep.createdAt, method: 'external',
    actor: staffActor(staff, caller.kind === 'staff' ? caller.ip : null),
    claim: async (tx) => {
      if (!(await markPreparationCompleted(tx, prep.id, new Date()))) throw new AppError('SIGNING_NOT_PENDING', 'Phiên chuẩn bị ký này đã được sử dụng.');
    },
  });
}

export interface OfficialSignature {
  dossier: dossiers.DossierRow;
  /** The draft the hand-out was made from (its waitingFor and signer are what the claim re-checks, locked). */
  draft: SigningDraftRow;
  /** The draft's file plus the official's signature (one more incremental update). */
  signed: Buffer;
  baseSignedCount: number;
  /** The time the signed file was rendered with (its stamps and /M); the later signers and the stored result use it. */
  signedAt: Date;
  method: 'external' | 'agent' | 'remote';
  actor: AuditActor;
  /** Claims the one-time hand-out (preparation, agent session, remote item) inside the storing transaction; throws if taken. */
  claim: (tx: AppContext['db']) => Promise<void>;
  /** More details for the 'result.signed' audit entry (e.g. the remote request). */
  auditDetails?: Record<string, unknown>;
}

const draftMovedOn = () => new AppError('SIGNING_NOT_PENDING', 'Văn bản đã thay đổi hoặc đã được ký bằng cách khác kể từ khi chuẩn bị ký; vui lòng ký lại.');

/**
 * The common end of every signature made outside the server (prepare/complete, local agent, remote provider): the
 * remaining signers (the seal) from base + 1, then the draft updated or the result stored — with the claim and the
 * 'result.signed' audit in the same transaction — and the dossier moved on.
 *
 * The claim locks the draft row and checks it still waits for this signature (same waitingFor, signer and
 * signedCount): two hand-outs of one draft (two preparations, an agent session and a remote request, two remote
 * requests) may both get here, and only the first to commit stores; the other waits for the lock, finds the draft
 * gone or moved on and is refused with 409 SIGNING_NOT_PENDING, never a unique violation or an overwritten draft.
 */
export async function finishOfficialSignature(ctx: AppContext, input: OfficialSignature): Promise<ActionOutcome> {
  const { dossier, draft } = input;
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const outcome = await applySigners(ctx, {
    dossier, definition, pdf: input.signed, from: input.baseSignedCount + 1, leaderStaffId: draft.signerStaffId, signedAt: input.signedAt,
  });
  const claim = async (tx: AppContext['db']) => {
    const current = await findDraft(tx, dossier.id, true);
    if (!current || current.signedCount !== input.baseSignedCount || current.waitingFor !== draft.waitingFor || current.signerStaffId !== draft.signerStaffId) {
      throw draftMovedOn();
    }
    await input.claim(tx);
    // The official's signature is on the document from here: audited with the claim, in the same transaction.
    await recordAudit(tx, input.actor, 'result.signed', dossier.code,
      { method: input.method, ...input.auditDetails, signatures: outcome.signedCount, complete: !outcome.waitingFor });
  };
  if (outcome.waitingFor) {
    await ctx.db.transaction(async (tx) => {
      await claim(tx);
      await upsertDraft(tx, { ...draft, pdf: outcome.pdf, signedCount: outcome.signedCount, waitingFor: outcome.waitingFor! });
    });
    return { code: dossier.code, status: dossier.status, version: dossier.version };
  }
  await storeResult(ctx, dossier.id, outcome.pdf, draft.signerStaffId, input.signedAt, claim);
  try {
    return await moveOn(ctx, dossier.code);
  } catch (error) {
    // The signed result is stored and the signature cannot be given twice: the dossier's next step is the recovery
    // sweep's to retry (services/processing/recover-stranded.ts); the caller learns where the dossier stands.
    ctx.log.warn({ err: error, code: dossier.code, method: input.method }, 'result stored, moving the dossier on failed');
    const current = await dossiers.findDossierByCode(ctx.db, dossier.code);
    return { code: dossier.code, status: current?.status ?? dossier.status, version: current?.version ?? dossier.version };
  }
}

/** The state's system action (result_issued) once the result is stored. */
export async function moveOn(ctx: AppContext, code: string): Promise<ActionOutcome> {
  const dossier = await dossiers.findDossierByCode(ctx.db, code);
  if (!dossier) throw dossierNotFound();
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const action = systemActionIn(definition, dossier.status);
  if (!action) return { code, status: dossier.status, version: dossier.version };
  return performAction(ctx, { code, action, caller: { kind: 'system' } });
}
