// Remote signing (ký số từ xa, SmartCA-style): the key stays with the provider; the official confirms on their phone.
// start: the official picks one or many results waiting for them; each is prepared (signature field appended,
//   /ByteRange fixed, rendered anew when nothing is signed yet so the stamps show the signing time), ONE provider
//   request carries every hash (one confirmation), and the request, its items and the first poll job are committed
//   together with the audit entry.
// poll (jobs/poll-remote-signing.ts): asks the provider with backoff (2 s, 4 s, … capped at 30 s) until the holder
//   confirmed, rejected, or the request expired. On confirmation each document is completed on its own — the CMS must
//   carry the registered certificate, the document's digest and a valid signature — then the seal, the stored result
//   and the dossier's next step follow, as for every other way of signing. A failing document never blocks the others.
//   Rejected or expired: the drafts keep waiting and the official can start again. The provider away: the poll goes on
//   with backoff (nothing is lost) until well past the request's expiry.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import { findDossierByCode, findDossierById } from '../../db/repositories/dossiers.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import {
  advancePoll, dossiersAwaitingRemote, findRemoteRequest, finishRemoteRequest, insertRemoteItems, insertRemoteRequest,
  listPendingRemoteItems, listRemoteItemSummaries, markRemoteItemSigned, markRemoteItemsFailed, type RemoteSigningItemRow,
  type RemoteSigningRequestRow,
} from '../../db/repositories/remote-signing.js';
import { findDraft, upsertDraft } from '../../db/repositories/signing.js';
import { findStaffById, type StaffRow } from '../../db/repositories/staff.js';
import { AppError, type ErrorCode } from '../../errors.js';
import { providerFailure, RemoteProviderRefusal, RemoteProviderUnavailable, remoteSigningClient } from '../../signing/remote-signing-client.js';
import { embedCms, preparePdfSignature, reopenPrepared, SigningError } from '../../signing/sign-pdf.js';
import { verifyPdfSignatures } from '../../signing/verify-pdf.js';
import { loadDossierFor, type Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { moveOn } from './external-signing.js';
import { applySigners, issuingAgency, leaderReason, renderResult, storeResult } from './render-and-sign.js';
import { signatureAppearance } from './signature-appearance.js';

/** The poll job's name (jobs/poll-remote-signing.ts registers the handler under it). */
export const POLL_REMOTE_SIGNING_JOB = 'poll-remote-signing';
export const MAX_REMOTE_BATCH = 500;
/** When the provider does not say: what the providers use. */
const DEFAULT_REQUEST_TTL_MS = 5 * 60_000;
const MAX_POLL_DELAY_MS = 30_000;
/** A request the provider still calls pending this long after its expiry is ended here. */
const EXPIRY_GRACE_MS = 30_000;
/** The provider unreachable: keep polling this long past the expiry (a confirmation may be waiting there). */
const UNAVAILABLE_GRACE_MS = 10 * 60_000;
// Room for the provider's CMS: its certificate chain, and a timestamp token if it adds one.
const REMOTE_RESERVE_BYTES = 24 * 1024;
const PREPARE_CONCURRENCY = 4;
const COMPLETE_CONCURRENCY = 4;

export interface RemoteSigningStarted {
  requestId: string;
  transactionId: string;
  expiresAt: string;
  count: number;
  /** Dossiers of a batch that could not be included, each with why. */
  skipped: Array<{ code: string; error: { code: string; message: string } }>;
}

export interface RemoteSigningView {
  requestId: string;
  transactionId: string | null;
  status: RemoteSigningRequestRow['status'];
  createdAt: string;
  expiresAt: string;
  completedAt: string | null;
  /** Why a request ended without signatures, or the provider's state while polling (REMOTE_SIGNING_UNAVAILABLE). */
  error: { code: string; message: string } | null;
  counts: { pending: number; signed: number; failed: number };
  items: Array<{ code: string; status: 'pending' | 'signed' | 'failed'; error?: { code: string; message: string } }>;
}

function staffOf(caller: Caller): StaffRow {
  if (caller.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'Vui lòng đăng nhập.');
  return caller.staff;
}

/** How an outcome is kept in an `error` column and read back: "CODE: message". */
const outcomeText = (code: ErrorCode, message: string) => `${code}: ${message}`;
function outcomeOf(text: string | null): { code: string; message: string } | undefined {
  if (!text) return undefined;
  const at = text.indexOf(': ');
  return at > 0 ? { code: text.slice(0, at), message: text.slice(at + 2) } : { code: 'INTERNAL_ERROR', message: text };
}

const OUTCOME_MESSAGES = {
  rejected: 'Người ký đã từ chối yêu cầu ký trên điện thoại; văn bản vẫn chờ ký, có thể gửi lại yêu cầu.',
  expired: 'Yêu cầu ký số từ xa đã hết hạn mà chưa được xác nhận trên điện thoại; văn bản vẫn chờ ký, có thể gửi lại yêu cầu.',
  unavailable: 'Không liên lạc được dịch vụ ký số từ xa; văn bản vẫn chờ ký, có thể gửi lại yêu cầu.',
} as const;

export function pollDelayMs(basePollMs: number, poll: number): number {
  return Math.min(MAX_POLL_DELAY_MS, basePollMs * 2 ** Math.min(poll, 16));
}

interface Prepared { itemId: string; dossierId: string; code: string; baseSignedCount: number; pdf: Buffer; contentDigest: Buffer }

/** The dossier's draft waiting for this official's remote signature, prepared for the provider; or why not. */
async function prepareOne(ctx: AppContext, code: string, staff: StaffRow, mode: { certificatePem: string; chainPem: string[] }): Promise<Prepared> {
  const { dossier } = await loadDossierFor(ctx, code, { kind: 'staff', staff });
  const draft = await findDraft(ctx.db, dossier.id);
  if (!draft || draft.waitingFor !== 'remote') throw new AppError('SIGNING_NOT_PENDING', `Hồ sơ ${dossier.code} không chờ ký số từ xa.`);
  if (draft.signerStaffId !== staff.id) throw new AppError('FORBIDDEN', `Văn bản của hồ sơ ${dossier.code} chờ chữ ký của người khác.`);
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const agency = await issuingAgency(ctx, dossier);
  if (!agency) throw new AppError('INTERNAL_ERROR', 'agency missing');
  const signedAt = new Date();
  const base = draft.signedCount === 0 ? await renderResult(ctx, dossier, definition, staff.id, signedAt) : draft.pdf;
  const prepared = preparePdfSignature(base, {
    certificatePem: mode.certificatePem, chainPem: mode.chainPem, name: staff.fullName, reason: leaderReason(staff, agency),
    location: agency.place, signingTime: signedAt, reserveBytes: REMOTE_RESERVE_BYTES,
    appearance: await signatureAppearance(ctx, dossier, definition, staff.id, draft.signedCount, signedAt),
  });
  return { itemId: randomUUID(), dossierId: dossier.id, code: dossier.code, baseSignedCount: draft.signedCount, pdf: prepared.pdf, contentDigest: prepared.contentDigest };
}

async function inBatches<T, R>(items: T[], concurrency: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** The official starts remote signing for one or several of the results waiting for them: one phone confirmation. */
export async function startRemoteSigning(ctx: AppContext, caller: Caller, input: { codes: string[] }): Promise<RemoteSigningStarted> {
  const staff = staffOf(caller);
  const codes = [...new Set(input.codes)];
  if (codes.length === 0 || codes.length > MAX_REMOTE_BATCH) {
    throw new AppError('VALIDATION_FAILED', `Chọn từ 1 đến ${MAX_REMOTE_BATCH} hồ sơ.`, { codes: `1–${MAX_REMOTE_BATCH} hồ sơ.` });
  }
  const mode = await ctx.signerKeys.usableModeFor({ staffId: staff.id }, 'của bạn');
  if (mode?.kind !== 'remote' || !mode.holderId) {
    throw new AppError('NO_REMOTE_SIGNING_KEY', 'Bạn chưa được đăng ký ký số từ xa; liên hệ quản trị viên, hoặc ký bằng cách khác.');
  }
  const client = remoteSigningClient(ctx.config);

  const skipped: RemoteSigningStarted['skipped'] = [];
  const outcomes = await inBatches(codes, PREPARE_CONCURRENCY, async (code) => {
    try {
      return await prepareOne(ctx, code, staff, mode);
    } catch (error) {
      if (!(error instanceof AppError) || codes.length === 1) throw error;
      skipped.push({ code, error: { code: error.code, message: error.message } });
      return undefined;
    }
  });
  let prepared = outcomes.filter((p): p is Prepared => p !== undefined);
  const busy = new Set(await dossiersAwaitingRemote(ctx.db, prepared.map((p) => p.dossierId)));
  for (const p of prepared.filter((x) => busy.has(x.dossierId))) {
    const message = `Hồ sơ ${p.code} đang chờ xác nhận ký số từ xa trên điện thoại.`;
    if (codes.length === 1) throw new AppError('REMOTE_SIGNING_IN_PROGRESS', message);
    skipped.push({ code: p.code, error: { code: 'REMOTE_SIGNING_IN_PROGRESS', message } });
  }
  prepared = prepared.filter((p) => !busy.has(p.dossierId));
  if (prepared.length === 0) throw new AppError('SIGNING_NOT_PENDING', 'Không hồ sơ nào trong danh sách đang chờ bạn ký số từ xa.');

  const first = await findDossierById(ctx.db, prepared[0]!.dossierId);
  const agency = first ? await issuingAgency(ctx, first) : undefined;
  const description = prepared.length === 1
    ? `Ký văn bản kết quả hồ sơ ${prepared[0]!.code} — ${agency?.name ?? ''}`
    : `Ký ${prepared.length} văn bản kết quả — ${agency?.name ?? ''}`;
  let sent: { transactionId: string; expiresAt: Date | null };
  try {
    const certId = (await client.getCertificate(mode.holderId)).certId;
    sent = await client.requestSignatures({ holderId: mode.holderId, certId, description, documents: prepared.map((p) => ({ id: p.itemId, sha256: p.contentDigest })) });
  } catch (error) {
    throw providerFailure(error);
  }
  const expiresAt = sent.expiresAt ?? new Date(Date.now() + DEFAULT_REQUEST_TTL_MS);
  const pollMs = ctx.config.remoteSigning?.pollMs ?? 2000;
  const request = await ctx.db.transaction(async (tx) => {
    const row = await insertRemoteRequest(tx, { staffId: staff.id, transactionId: sent.transactionId, expiresAt });
    await insertRemoteItems(tx, prepared.map((p) => ({
      id: p.itemId, requestId: row.id, dossierId: p.dossierId, baseSignedCount: p.baseSignedCount, pdf: p.pdf, contentDigest: p.contentDigest,
    })));
    await recordAudit(tx, staffActor(staff, caller.kind === 'staff' ? caller.ip : null), 'result.remote_requested', null, {
      requestId: row.id, transactionId: sent.transactionId, count: prepared.length, codes: prepared.slice(0, 50).map((p) => p.code),
    });
    await insertOutbox(tx, [{ job: POLL_REMOTE_SIGNING_JOB, payload: { requestId: row.id, poll: 0 }, availableAt: new Date(Date.now() + pollDelayMs(pollMs, 0)) }]);
    return row;
  });
  return { requestId: request.id, transactionId: sent.transactionId, expiresAt: expiresAt.toISOString(), count: prepared.length, skipped };
}

/** The official's view of their request: its state and each dossier's outcome. */
export async function remoteSigningStatus(ctx: AppContext, caller: Caller, requestId: string): Promise<RemoteSigningView> {
  const staff = staffOf(caller);
  const request = /^[0-9a-f-]{36}$/i.test(requestId) ? await findRemoteRequest(ctx.db, requestId) : undefined;
  if (!request || request.staffId !== staff.id) throw new AppError('REMOTE_SIGNING_NOT_FOUND', 'Không tìm thấy yêu cầu ký số từ xa.');
  // A document whose signature arrived but is not sealed yet is still pending for the official.
  const items = (await listRemoteItemSummaries(ctx.db, request.id)).map((i) => ({ ...i, status: i.status === 'received' ? 'pending' as const : i.status }));
  const counts = { pending: 0, signed: 0, failed: 0 };
  for (const item of items) counts[item.status]++;
  return {
    requestId: request.id, transactionId: request.transactionId, status: request.status, createdAt: request.createdAt.toISOString(),
    expiresAt: request.expiresAt.toISOString(), completedAt: request.completedAt?.toISOString() ?? null, error: outcomeOf(request.error) ?? null,
    counts,
    items: items.map((i) => {
      const error = outcomeOf(i.error);
      return { code: i.code, status: i.status, ...(error ? { error } : {}) };
    }),
  };
}

// --- the poll job ----------------------------------------------------------------------------------------------------

async function scheduleNext(ctx: AppContext, request: RemoteSigningRequestRow, poll: number, error: string | null): Promise<void> {
  const pollMs = ctx.config.remoteSigning?.pollMs ?? 2000;
  await ctx.db.transaction(async (tx) => {
    // Only the run that advances the count schedules the next poll: a duplicate run stops here.
    if (!(await advancePoll(tx, request.id, poll, error))) return;
    await insertOutbox(tx, [{
      job: POLL_REMOTE_SIGNING_JOB, payload: { requestId: request.id, poll: poll + 1 }, availableAt: new Date(Date.now() + pollDelayMs(pollMs, poll + 1)),
    }]);
  });
}

/** Ends a request without signatures: every document still pending is reported with the same outcome. */
async function endWithout(ctx: AppContext, request: RemoteSigningRequestRow, status: 'rejected' | 'expired' | 'failed', outcome: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    if (!(await finishRemoteRequest(tx, request.id, status, outcome))) return;
    const pending = await listPendingRemoteItems(tx, request.id);
    await markRemoteItemsFailed(tx, pending.map((i) => i.id), outcome);
  });
}

/** One poll of a request (idempotent: a request that ended, or a poll already counted, is left alone). */
export async function pollRemoteSigning(ctx: AppContext, requestId: string, poll: number): Promise<void> {
  const request = await findRemoteRequest(ctx.db, requestId);
  if (!request || request.status !== 'pending' || request.polls !== poll || !request.transactionId) return;
  const now = Date.now();
  let state: Awaited<ReturnType<ReturnType<typeof remoteSigningClient>['status']>>;
  try {
    state = await remoteSigningClient(ctx.config).status(request.transactionId);
  } catch (error) {
    if (error instanceof RemoteProviderUnavailable || (error instanceof AppError && error.code === 'REMOTE_SIGNING_NOT_CONFIGURED')) {
      const unavailable = outcomeText('REMOTE_SIGNING_UNAVAILABLE', OUTCOME_MESSAGES.unavailable);
      ctx.log.warn({ requestId, poll, reason: (error as Error).message }, 'remote signing: provider unavailable, polling again later');
      if (now > request.expiresAt.getTime() + UNAVAILABLE_GRACE_MS) return endWithout(ctx, request, 'failed', unavailable);
      return scheduleNext(ctx, request, poll, unavailable);
    }
    if (error instanceof RemoteProviderRefusal) {
      return endWithout(ctx, request, 'failed', outcomeText('REMOTE_SIGNING_REFUSED', `Dịch vụ ký số từ xa từ chối: ${error.message}`));
    }
    throw error;
  }
  switch (state.status) {
    case 'pending':
      if (now > request.expiresAt.getTime() + EXPIRY_GRACE_MS) return endWithout(ctx, request, 'expired', outcomeText('REMOTE_SIGNING_EXPIRED', OUTCOME_MESSAGES.expired));
      return scheduleNext(ctx, request, poll, null);
    case 'rejected':
      return endWithout(ctx, request, 'rejected', outcomeText('REMOTE_SIGNING_REJECTED', OUTCOME_MESSAGES.rejected));
    case 'expired':
      return endWithout(ctx, request, 'expired', outcomeText('REMOTE_SIGNING_EXPIRED', OUTCOME_MESSAGES.expired));
    case 'confirmed':
      return completeConfirmed(ctx, request, state.signatures);
  }
}

/** Every pending document of a confirmed request, each on its own; the request ends when none is left pending. */
async function completeConfirmed(ctx: AppContext, request: RemoteSigningRequestRow, signatures: Map<string, Buffer>): Promise<void> {
  const staff = await findStaffById(ctx.db, request.staffId);
  if (!staff) throw new AppError('INTERNAL_ERROR', 'remote signing: the official is gone');
  const mode = await ctx.signerKeys.modeFor({ staffId: staff.id });
  const registered = mode?.kind === 'remote' ? new X509Certificate(mode.certificatePem) : undefined;
  const items = await listPendingRemoteItems(ctx.db, request.id);
  const unexpected: unknown[] = [];
  await inBatches(items, COMPLETE_CONCURRENCY, async (item) => {
    try {
      await completeItem(ctx, request, item, staff, registered, signatures.get(item.id));
    } catch (error) {
      if (error instanceof AppError && error.statusCode < 500) {
        await markRemoteItemsFailed(ctx.db, [item.id], outcomeText(error.code, error.message));
        return;
      }
      // The database or a bug: the others go on; the job runs again for this one (signed ones are skipped then).
      ctx.log.error({ err: error, requestId: request.id, itemId: item.id }, 'remote signing: completing one document failed');
      unexpected.push(error);
    }
  });
  if (unexpected.length > 0) throw unexpected[0];
  await finishRemoteRequest(ctx.db, request.id, 'confirmed', null);
}

/** Checks the provider's CMS for one document, embeds it, applies the remaining signers, stores and moves on. */
async function completeItem(
  ctx: AppContext, request: RemoteSigningRequestRow, item: RemoteSigningItemRow, staff: StaffRow, registered: X509Certificate | undefined, cms: Buffer | undefined,
): Promise<void> {
  if (!cms || cms.length === 0) throw new AppError('SIGNATURE_INVALID', 'Dịch vụ ký số từ xa không trả về chữ ký cho văn bản này.');
  if (!registered) throw new AppError('CERTIFICATE_MISMATCH', 'Người ký không còn đăng ký ký số từ xa; chữ ký không được nhận.');
  const prepared = reopenPrepared(item.pdf);
  if (!prepared.contentDigest.equals(item.contentDigest)) throw new AppError('INTERNAL_ERROR', 'prepared document does not match its digest');
  let signed: Buffer;
  try {
    signed = embedCms(prepared, cms);
  } catch (error) {
    if (error instanceof SigningError) throw new AppError('SIGNATURE_INVALID', 'Chữ ký từ dịch vụ ký số từ xa quá lớn hoặc không hợp lệ.');
    throw error;
  }
  // The same checks as public verification, over exactly the prepared bytes: the CMS's messageDigest must be this
  // document's digest, its signature must verify, and its certificate must be the one registered for the official.
  const report = verifyPdfSignatures(signed, []).signatures.at(-1);
  const registeredSha256 = createHash('sha256').update(registered.raw).digest('hex');
  if (!report || report.byteRange[1] !== prepared.contentsOffset) throw new AppError('SIGNATURE_INVALID', 'Không đọc được chữ ký từ dịch vụ ký số từ xa.');
  if (report.certificateSha256 !== registeredSha256) {
    throw new AppError('CERTIFICATE_MISMATCH', 'Chữ ký từ dịch vụ ký số từ xa không được tạo bằng chứng thư số đã đăng ký cho người ký; văn bản không được nhận.');
  }
  // Trust is the verifier's business (the provider's CA among the trust anchors); here the signature itself must hold.
  const problems = report.problems.filter((p) => p.kind !== 'trust' && p.kind !== 'validity').map((p) => p.message);
  if (problems.length > 0) throw new AppError('SIGNATURE_INVALID', `Chữ ký từ dịch vụ ký số từ xa không hợp lệ: ${problems.join('; ')}.`);

  const dossier = await findDossierById(ctx.db, item.dossierId);
  const draft = dossier ? await findDraft(ctx.db, dossier.id) : undefined;
  if (!dossier || !draft || draft.waitingFor !== 'remote' || draft.signedCount !== item.baseSignedCount || draft.signerStaffId !== request.staffId) {
    throw new AppError('SIGNING_NOT_PENDING', 'Văn bản đã thay đổi hoặc đã được ký bằng cách khác kể từ khi gửi yêu cầu.');
  }
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const outcome = await applySigners(ctx, {
    dossier, definition, pdf: signed, from: item.baseSignedCount + 1, leaderStaffId: draft.signerStaffId, signedAt: item.createdAt,
  });
  const claim = async (tx: AppContext['db']) => {
    if (!(await markRemoteItemSigned(tx, item.id))) throw new AppError('SIGNING_NOT_PENDING', 'Văn bản này đã được xử lý.');
    // The official's confirmation on the phone is their signature: audited with the stored result.
    await recordAudit(tx, staffActor(staff), 'result.signed', dossier.code,
      { method: 'remote', requestId: request.id, signatures: outcome.signedCount, complete: !outcome.waitingFor });
  };
  if (outcome.waitingFor) {
    await ctx.db.transaction(async (tx) => {
      await claim(tx);
      await upsertDraft(tx, { ...draft, pdf: outcome.pdf, signedCount: outcome.signedCount, waitingFor: outcome.waitingFor! });
    });
    return;
  }
  await storeResult(ctx, dossier.id, outcome.pdf, draft.signerStaffId, item.createdAt, claim);
  try {
    await moveOn(ctx, dossier.code);
  } catch (error) {
    // The result is stored; the dossier's next step is the recovery sweep's to retry (services/processing/recover-stranded.ts).
    ctx.log.warn({ err: error, code: dossier.code }, 'remote signing: result stored, moving the dossier on failed');
  }
}

/** Whether `code` names a dossier whose draft waits for this official's remote signature (for the pages). */
export async function waitsForRemote(ctx: AppContext, code: string, staffId: string): Promise<boolean> {
  const dossier = await findDossierByCode(ctx.db, code);
  const draft = dossier ? await findDraft(ctx.db, dossier.id) : undefined;
  return draft?.waitingFor === 'remote' && draft.signerStaffId === staffId;
}
