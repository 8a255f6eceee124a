// Remote signing (ký số từ xa, SmartCA-style): the key stays with the provider; the official confirms on their phone.
// start: the official picks one or many results waiting for them; each is prepared (prepareOfficialSignature: signature
//   field appended, /ByteRange fixed, rendered anew when nothing is signed yet so the stamps show the signing time).
//   The request and its items are committed first (with a first run of the job that ends the request if the provider's
//   answer is never stored), then ONE provider request carries every hash (one confirmation); its transaction id, the
//   audit entry and the first poll are committed together. A provider failure there ends the request as failed.
// poll (jobs/poll-remote-signing.ts): asks the provider with backoff (2 s, 4 s, … capped at 30 s) until the holder
//   confirmed, rejected, or the request expired. Each run claims its turn first (requests.polls: a run twice, or a
//   stale successor, stops there). On confirmation each CMS is checked — the registered certificate, the document's
//   digest, a valid signature — and kept on its item ('received') in the transaction that claims the sealing; then
//   each document is sealed, stored and moved on by finishOfficialSignature, as for every other way of signing. A
//   sealing that fails (the seal key, the revocation responder, the database) is retried with backoff from the stored
//   CMS, never asking the provider again; when the retries run out the request ends failed with the reason, shown to
//   the official. With TSA_URL set each try adds our RFC 3161 token to the provider's CMS (PAdES B-T, as for every
//   other signature; a TSA that fails fails the try). A failing document never blocks the others. Rejected or
//   expired: the drafts keep waiting and the official can start again. The provider away: the poll goes on with
//   backoff until well past the request's expiry.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import { findDossierByCode, findDossierById } from '../../db/repositories/dossiers.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import {
  advancePoll, dossiersAwaitingRemote, findRemoteRequest, finishRemoteRequest, hasReceivedRemoteItems, insertRemoteItems, insertRemoteRequest,
  listPendingRemoteItems, listReceivedRemoteItems, listRemoteItemSummaries, listUnfinishedRemoteItems, markRemoteItemReceived,
  markRemoteItemSigned, markRemoteItemsFailed, setRemoteTransaction, type RemoteSigningItemRow, type RemoteSigningRequestRow,
} from '../../db/repositories/remote-signing.js';
import { findDraft, lockDrafts } from '../../db/repositories/signing.js';
import { findStaffById, type StaffRow } from '../../db/repositories/staff.js';
import { AppError, type ErrorCode } from '../../errors.js';
import { providerFailure, RemoteProviderRefusal, RemoteProviderUnavailable, remoteSigningClient } from '../../signing/remote-signing-client.js';
import { addSignatureTimestamp } from '../../signing/cms.js';
import { embedCms, reopenPrepared, SigningError } from '../../signing/sign-pdf.js';
import { verifyPdfSignatures } from '../../signing/verify-pdf.js';
import { loadDossierFor, type Caller } from '../access.js';
import { recordAudit, staffActor } from '../audit/audit.js';
import { finishOfficialSignature, prepareOfficialSignature, staffOf } from './external-signing.js';
import { issuingAgency, timestampOption } from './render-and-sign.js';

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
/** Well past the start's two provider calls (10 s timeout each): a request still without a transaction then is ended. */
const START_TIMEOUT_MS = 60_000;
/** Tries at sealing the received documents (backoff from the poll interval, capped): about 25 min at the 2 s default. */
export const MAX_SEAL_ATTEMPTS = 12;
const MAX_SEAL_RETRY_DELAY_MS = 5 * 60_000;
// Room for the provider's CMS: its certificate chain, and a timestamp token (the provider's, or ours: sealItem).
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

const pollIntervalMs = (ctx: AppContext) => ctx.config.remoteSigning?.pollMs ?? 2000;

/** The next run of a request's job, `delayMs` from now (the payload names the run it expects, see advancePoll). */
function nextRun(requestId: string, poll: number, delayMs: number, attempt?: number) {
  return { job: POLL_REMOTE_SIGNING_JOB, payload: { requestId, poll, ...(attempt ? { attempt } : {}) }, availableAt: new Date(Date.now() + delayMs) };
}

interface Prepared { itemId: string; dossierId: string; code: string; baseSignedCount: number; pdf: Buffer; contentDigest: Buffer; renderedAt: Date }

/** The dossier's draft waiting for this official's remote signature, prepared for the provider; or why not. */
async function prepareOne(ctx: AppContext, code: string, staff: StaffRow, mode: { certificatePem: string; chainPem: string[] }): Promise<Prepared> {
  const { dossier } = await loadDossierFor(ctx, code, { kind: 'staff', staff });
  const draft = await findDraft(ctx.db, dossier.id);
  if (!draft || draft.waitingFor !== 'remote') throw new AppError('SIGNING_NOT_PENDING', `Hồ sơ ${dossier.code} không chờ ký số từ xa.`);
  if (draft.signerStaffId !== staff.id) throw new AppError('FORBIDDEN', `Văn bản của hồ sơ ${dossier.code} chờ chữ ký của người khác.`);
  const definition = await ctx.catalog.definitionFor(dossier.procedureVersionId);
  const { prepared, signedAt } = await prepareOfficialSignature(ctx, { dossier, definition, draft }, staff, mode, REMOTE_RESERVE_BYTES);
  return {
    itemId: randomUUID(), dossierId: dossier.id, code: dossier.code, baseSignedCount: draft.signedCount, pdf: prepared.pdf,
    contentDigest: prepared.contentDigest, renderedAt: signedAt,
  };
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
  const ready = outcomes.filter((p): p is Prepared => p !== undefined);
  if (ready.length === 0) throw new AppError('SIGNING_NOT_PENDING', 'Không hồ sơ nào trong danh sách đang chờ bạn ký số từ xa.');

  // Committed before the provider is asked, so whatever happens next is recorded: the drafts are locked while we look
  // for another request still holding them (two starts at once include each dossier once).
  const { request, prepared } = await ctx.db.transaction(async (tx) => {
    await lockDrafts(tx, ready.map((p) => p.dossierId));
    const busy = new Set(await dossiersAwaitingRemote(tx, ready.map((p) => p.dossierId)));
    for (const p of ready.filter((x) => busy.has(x.dossierId))) {
      const message = `Hồ sơ ${p.code} đang chờ xác nhận ký số từ xa trên điện thoại.`;
      if (codes.length === 1) throw new AppError('REMOTE_SIGNING_IN_PROGRESS', message);
      skipped.push({ code: p.code, error: { code: 'REMOTE_SIGNING_IN_PROGRESS', message } });
    }
    const included = ready.filter((p) => !busy.has(p.dossierId));
    if (included.length === 0) throw new AppError('SIGNING_NOT_PENDING', 'Không hồ sơ nào trong danh sách đang chờ bạn ký số từ xa.');
    const row = await insertRemoteRequest(tx, { staffId: staff.id, transactionId: null, expiresAt: new Date(Date.now() + DEFAULT_REQUEST_TTL_MS) });
    await insertRemoteItems(tx, included.map((p) => ({
      id: p.itemId, requestId: row.id, dossierId: p.dossierId, baseSignedCount: p.baseSignedCount, pdf: p.pdf, contentDigest: p.contentDigest,
      renderedAt: p.renderedAt,
    })));
    // If the provider's answer is never stored (the process stopped in between), this run ends the request.
    await insertOutbox(tx, [nextRun(row.id, 0, START_TIMEOUT_MS)]);
    return { request: row, prepared: included };
  });

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
    const failure = providerFailure(error);
    const known = failure instanceof AppError ? failure : new AppError('REMOTE_SIGNING_UNAVAILABLE', OUTCOME_MESSAGES.unavailable);
    if (!(failure instanceof AppError)) ctx.log.error({ err: error, requestId: request.id }, 'remote signing: sending the request failed');
    await endWithout(ctx, request, 'failed', outcomeText(known.code, known.message));
    throw failure;
  }
  const expiresAt = sent.expiresAt ?? new Date(Date.now() + DEFAULT_REQUEST_TTL_MS);
  const accepted = await ctx.db.transaction(async (tx) => {
    if (!(await setRemoteTransaction(tx, request.id, sent.transactionId, expiresAt))) return false;
    await recordAudit(tx, staffActor(staff, caller.kind === 'staff' ? caller.ip : null), 'result.remote_requested', null, {
      requestId: request.id, transactionId: sent.transactionId, count: prepared.length, codes: prepared.slice(0, 50).map((p) => p.code),
    });
    await insertOutbox(tx, [nextRun(request.id, 0, pollDelayMs(pollIntervalMs(ctx), 0))]);
    return true;
  });
  // Ended meanwhile by its first run (the start took longer than START_TIMEOUT_MS): nothing will be polled.
  if (!accepted) throw new AppError('REMOTE_SIGNING_UNAVAILABLE', OUTCOME_MESSAGES.unavailable);
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

/** Claims this run and commits the next poll, delayed (backoff); a run that lost the claim stops. */
async function scheduleNext(ctx: AppContext, request: RemoteSigningRequestRow, poll: number, error: string | null): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    // Only the run that advances the count schedules the next poll: a duplicate run stops here.
    if (!(await advancePoll(tx, request.id, poll, error))) return;
    await insertOutbox(tx, [nextRun(request.id, poll + 1, pollDelayMs(pollIntervalMs(ctx), poll + 1))]);
  });
}

/** Ends a request without (more) signatures: every document not signed yet is reported with the same outcome. */
async function endWithout(ctx: AppContext, request: RemoteSigningRequestRow, status: 'rejected' | 'expired' | 'failed', outcome: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    if (!(await finishRemoteRequest(tx, request.id, status, outcome))) return;
    const unfinished = await listUnfinishedRemoteItems(tx, request.id);
    await markRemoteItemsFailed(tx, unfinished.map((i) => i.id), outcome);
  });
}

/**
 * One run of a request's job (idempotent: a request that ended, or a run already claimed, is left alone). `attempt`
 * counts the failed tries at sealing the received signatures.
 */
export async function pollRemoteSigning(ctx: AppContext, requestId: string, poll: number, attempt = 0): Promise<void> {
  const request = await findRemoteRequest(ctx.db, requestId);
  if (!request || request.status !== 'pending' || request.polls !== poll) return;
  // Confirmed already, signatures kept here and not all sealed: from the stored CMS; the provider is not asked again.
  if (await hasReceivedRemoteItems(ctx.db, request.id)) return retrySealing(ctx, request, poll, attempt);
  if (!request.transactionId) {
    // The start committed the request but never stored the provider's answer: nothing can be polled.
    return endWithout(ctx, request, 'failed', outcomeText('REMOTE_SIGNING_UNAVAILABLE', OUTCOME_MESSAGES.unavailable));
  }
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
      return receiveSignatures(ctx, request, poll, state.signatures);
  }
}

/** How long a sealing run holds the request before its successor takes over (a run that died leaves no one else). */
const sealLeaseMs = (documents: number) => 2 * 60_000 + documents * 1000;

/**
 * The holder confirmed: each pending document's CMS is checked and kept on its item ('received') — or the item fails
 * with why — in the transaction that claims this run and commits the successor that takes over if this run dies;
 * then the received documents are sealed.
 */
async function receiveSignatures(ctx: AppContext, request: RemoteSigningRequestRow, poll: number, signatures: Map<string, Buffer>): Promise<void> {
  const staff = await findStaffById(ctx.db, request.staffId);
  if (!staff) throw new AppError('INTERNAL_ERROR', 'remote signing: the official is gone');
  const mode = await ctx.signerKeys.modeFor({ staffId: staff.id });
  const registered = mode?.kind === 'remote' ? new X509Certificate(mode.certificatePem) : undefined;
  const items = await listPendingRemoteItems(ctx.db, request.id);
  const checked = items.map((item): { item: RemoteSigningItemRow; cms: Buffer } | { item: RemoteSigningItemRow; refusal: string } => {
    try {
      return { item, cms: checkProviderCms(item, registered, signatures.get(item.id)) };
    } catch (error) {
      if (error instanceof AppError && error.statusCode < 500) return { item, refusal: outcomeText(error.code, error.message) };
      throw error;
    }
  });
  const claimed = await ctx.db.transaction(async (tx) => {
    if (!(await advancePoll(tx, request.id, poll, null))) return false;
    for (const entry of checked) {
      if ('cms' in entry) await markRemoteItemReceived(tx, entry.item.id, entry.cms);
      else await markRemoteItemsFailed(tx, [entry.item.id], entry.refusal);
    }
    await insertOutbox(tx, [nextRun(request.id, poll + 1, sealLeaseMs(items.length), 1)]);
    return true;
  });
  if (claimed) await sealReceived(ctx, request, poll + 1, 0);
}

/** A later run finds signatures received and not sealed: it claims the request and seals them from the stored CMS. */
async function retrySealing(ctx: AppContext, request: RemoteSigningRequestRow, poll: number, attempt: number): Promise<void> {
  const received = await listReceivedRemoteItems(ctx.db, request.id);
  const claimed = await ctx.db.transaction(async (tx) => {
    if (!(await advancePoll(tx, request.id, poll))) return false;
    await insertOutbox(tx, [nextRun(request.id, poll + 1, sealLeaseMs(received.length), attempt + 1)]);
    return true;
  });
  if (claimed) await sealReceived(ctx, request, poll + 1, attempt, received);
}

/**
 * Seals and stores every received document, each on its own. A refusal (the draft moved on) fails that document; any
 * other failure leaves the document received and the request pending with the reason, tried again after a backoff —
 * until MAX_SEAL_ATTEMPTS, when the request ends failed with that reason (the drafts keep waiting for a new request).
 */
async function sealReceived(ctx: AppContext, request: RemoteSigningRequestRow, run: number, attempt: number, received?: RemoteSigningItemRow[]): Promise<void> {
  const staff = await findStaffById(ctx.db, request.staffId);
  if (!staff) throw new AppError('INTERNAL_ERROR', 'remote signing: the official is gone');
  const items = received ?? await listReceivedRemoteItems(ctx.db, request.id);
  let failure: unknown;
  await inBatches(items, COMPLETE_CONCURRENCY, async (item) => {
    try {
      await sealItem(ctx, request, item, staff);
    } catch (error) {
      if (error instanceof AppError && error.statusCode < 500) {
        await markRemoteItemsFailed(ctx.db, [item.id], outcomeText(error.code, error.message));
        return;
      }
      ctx.log.error({ err: error, requestId: request.id, itemId: item.id, attempt }, 'remote signing: sealing one document failed');
      failure ??= error;
    }
  });
  if (failure === undefined) {
    await finishRemoteRequest(ctx.db, request.id, 'confirmed', null);
    return;
  }
  const reason = failure instanceof AppError ? failure : new AppError('INTERNAL_ERROR', 'lỗi hệ thống');
  const delayMs = Math.min(MAX_SEAL_RETRY_DELAY_MS, pollIntervalMs(ctx) * 2 ** Math.min(attempt, 16));
  if (attempt + 1 >= MAX_SEAL_ATTEMPTS) {
    return endWithout(ctx, request, 'failed', outcomeText(reason.code as ErrorCode,
      `Đã nhận chữ ký trên điện thoại nhưng không đóng dấu và lưu được văn bản (${reason.message}); văn bản vẫn chờ ký, có thể gửi lại yêu cầu.`));
  }
  await ctx.db.transaction(async (tx) => {
    // The official sees why it is taking longer; the lease's successor, now stale, stops at its claim.
    const why = outcomeText(reason.code as ErrorCode, `Đã nhận chữ ký trên điện thoại; đang thử lại việc đóng dấu và lưu văn bản (${reason.message}).`);
    if (!(await advancePoll(tx, request.id, run, why))) return;
    await insertOutbox(tx, [nextRun(request.id, run + 1, delayMs, attempt + 1)]);
  });
}

/** The provider's CMS for one document, checked over exactly the prepared bytes; the CMS itself when it holds. */
function checkProviderCms(item: RemoteSigningItemRow, registered: X509Certificate | undefined, cms: Buffer | undefined): Buffer {
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
  // The same checks as public verification: the CMS's messageDigest must be this document's digest, its signature
  // must verify, and its certificate must be the one registered for the official.
  const report = verifyPdfSignatures(signed, []).signatures.at(-1);
  const registeredSha256 = createHash('sha256').update(registered.raw).digest('hex');
  if (!report || report.byteRange[1] !== prepared.contentsOffset) throw new AppError('SIGNATURE_INVALID', 'Không đọc được chữ ký từ dịch vụ ký số từ xa.');
  if (report.certificateSha256 !== registeredSha256) {
    throw new AppError('CERTIFICATE_MISMATCH', 'Chữ ký từ dịch vụ ký số từ xa không được tạo bằng chứng thư số đã đăng ký cho người ký; văn bản không được nhận.');
  }
  // Trust is the verifier's business (the provider's CA among the trust anchors); here the signature itself must hold.
  const problems = report.problems.filter((p) => p.kind !== 'trust' && p.kind !== 'validity').map((p) => p.message);
  if (problems.length > 0) throw new AppError('SIGNATURE_INVALID', `Chữ ký từ dịch vụ ký số từ xa không hợp lệ: ${problems.join('; ')}.`);
  return cms;
}

/**
 * PAdES B-T as for every other signature when a TSA is configured: the token over the provider's signature value is
 * added to its CMS here, at each sealing try (the stored CMS stays as the provider made it). A TSA that fails fails
 * the try, retried like any other sealing failure.
 */
async function timestamped(ctx: AppContext, cms: Buffer): Promise<Buffer> {
  const timestamp = timestampOption(ctx).timestamp;
  return timestamp ? addSignatureTimestamp(cms, timestamp) : cms;
}

/** The CMS into the prepared /Contents; one that no longer fits (with its token) is refused, not retried. */
function embedTimestamped(prepared: ReturnType<typeof reopenPrepared>, cms: Buffer): Buffer {
  try {
    return embedCms(prepared, cms);
  } catch (error) {
    if (error instanceof SigningError) throw new AppError('SIGNATURE_INVALID', 'Chữ ký từ dịch vụ ký số từ xa cùng dấu thời gian vượt quá chỗ dành cho chữ ký trong văn bản.');
    throw error;
  }
}

/** One received document: its stored CMS embedded, then the remaining signers, the stored result and the next step. */
async function sealItem(ctx: AppContext, request: RemoteSigningRequestRow, item: RemoteSigningItemRow, staff: StaffRow): Promise<void> {
  if (!item.cms) throw new AppError('INTERNAL_ERROR', 'received remote signing item without its CMS');
  const dossier = await findDossierById(ctx.db, item.dossierId);
  const draft = dossier ? await findDraft(ctx.db, dossier.id) : undefined;
  if (!dossier || !draft || draft.waitingFor !== 'remote' || draft.signedCount !== item.baseSignedCount || draft.signerStaffId !== request.staffId) {
    throw new AppError('SIGNING_NOT_PENDING', 'Văn bản đã thay đổi hoặc đã được ký bằng cách khác kể từ khi gửi yêu cầu.');
  }
  const signed = embedTimestamped(reopenPrepared(item.pdf), await timestamped(ctx, item.cms));
  await finishOfficialSignature(ctx, {
    // Items made before rendered_at existed: their created_at is the nearest time there is.
    dossier, draft, signed, baseSignedCount: item.baseSignedCount, signedAt: item.renderedAt ?? item.createdAt, method: 'remote',
    // The official's confirmation on the phone is their signature: audited with the stored result.
    actor: staffActor(staff), auditDetails: { requestId: request.id },
    claim: async (tx) => {
      if (!(await markRemoteItemSigned(tx, item.id))) throw new AppError('SIGNING_NOT_PENDING', 'Văn bản này đã được xử lý.');
    },
  });
}

/** Whether `code` names a dossier whose draft waits for this official's remote signature (for the pages). */
export async function waitsForRemote(ctx: AppContext, code: string, staffId: string): Promise<boolean> {
  const dossier = await findDossierByCode(ctx.db, code);
  const draft = dossier ? await findDraft(ctx.db, dossier.id) : undefined;
  return draft?.waitingFor === 'remote' && draft.signerStaffId === staffId;
}
