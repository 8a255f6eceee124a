// What the Payment Platform tells us about a payment: its confirm callback (POST /api/payment-platform/confirm, no
// account: the MaXacThuc checksum over the shared secret is the authentication), and the settled answers of our status
// checks (reconcile-payments.ts), which go through the same applyConfirmation. Every callback is logged in
// payment_notifications, verified or not, with what it did — the contract's fields only, each truncated, never the
// poster's whole body; only verified refusals are audited. A forged or mismatched one is refused and changes nothing.
// MaLoi '00' makes the payment paid — in one transaction, under the dossier's lock, with its audit entry, the outbox
// row of the e-receipt job and, for a dossier reported to the national portal, its sync job — once: a repeat answers
// success and changes nothing. Any other MaLoi fails a pending payment; a paid one is never undone by a later message.
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { findDossierById, type DossierRow } from '../../db/repositories/dossiers.js';
import { insertOutbox } from '../../db/repositories/outbox.js';
import { findPaymentById, findPaymentByReference } from '../../db/repositories/payment-records.js';
import type { PaymentRow } from '../../db/repositories/payments.js';
import * as paymentsRepo from '../../db/repositories/payments.js';
import { ERROR_STATUS, type ErrorCode } from '../../errors.js';
import { CHECKSUM_FIELDS, checksumMatches, paymentChecksum } from '../../integrations/payment-platform/checksum.js';
import { parseVnTimestamp, vnTimestamp } from '../../calendar/vn-time.js';
import { confirmMessageSchema, PAID_CODE, type ConfirmMessage } from '../../integrations/payment-platform/wire.js';
import { recordAudit, type AuditActor } from '../audit/audit.js';
import { nationalSyncOutboxRow } from '../national-portal/record-step.js';
import { ISSUE_PAYMENT_RECEIPT_JOB } from './payment-receipt.js';

export type ConfirmationOutcome = 'confirmed' | 'duplicate' | 'failed' | 'ignored';

/** Our answer to a callback, in the platform's shape; `error` carries our stable code when refused. */
export interface CallbackAnswer {
  status: 200 | (typeof ERROR_STATUS)[RefusalCode];
  body: {
    MaLoi: string; MoTaLoi: string; MaDoiTac: string; MaThamChieu: string; ThoiGianGD: string; MaXacThuc: string;
    error?: { code: ErrorCode; message: string };
  };
}

/** MaLoi of our answers: '00' received (and applied, or already applied), the rest refusals. */
const ANSWER_CODES = {
  PAYMENT_CALLBACK_INVALID: '04', PAYMENT_CHECKSUM_INVALID: '01', PAYMENT_NOT_FOUND: '02', PAYMENT_CALLBACK_MISMATCH: '03', PAYMENT_PLATFORM_NOT_CONFIGURED: '99',
} as const satisfies Partial<Record<ErrorCode, string>>;
type RefusalCode = keyof typeof ANSWER_CODES;

class CallbackRefused extends Error {
  constructor(readonly code: RefusalCode, message: string, readonly reason: string) { super(message); }
}

export interface ConfirmationSource {
  kind: 'callback' | 'status-check';
  via: 'callback' | 'reconciliation';
  /** The message as it came (logged as is). */
  body: Record<string, unknown>;
  sourceIp: string | null;
  /** Why a failed payment failed, when the message's MaLoi does not say it (a status check's TrangThaiGD 4). */
  failureReason?: string;
}

const platformActor = (ip: string | null): AuditActor => ({ id: null, name: 'Nền tảng thanh toán', kind: 'system', ip });
export const RECONCILIATION_ACTOR: AuditActor = { id: null, name: 'Hệ thống (đối soát thanh toán)', kind: 'system', ip: null };

/** Why a message about `payment` does not match it (partner, currency, amount), or null when it does. */
export function mismatchOf(ctx: AppContext, payment: PaymentRow, message: Pick<ConfirmMessage, 'MaDoiTac' | 'SoTien' | 'MaTienTe'>): 'partner' | 'amount' | null {
  if (message.MaDoiTac !== ctx.config.paymentPlatform?.partnerCode) return 'partner';
  if (message.SoTien !== payment.amount || message.MaTienTe !== 'VND') return 'amount';
  return null;
}

/** The national portal's sync job row for a dossier just paid (null when the dossier is not reported to the portal). */
async function portalSyncRow(ctx: AppContext, dossier: DossierRow) {
  return nationalSyncOutboxRow(ctx, await ctx.catalog.definitionFor(dossier.procedureVersionId), dossier.id);
}

/**
 * Records an online payment paid, inside the caller's transaction: the dossier's lock first (as request-payment and
 * desk-payment take it, so two attempts of one dossier confirmed at once run one after the other instead of locking
 * each other's payment rows in opposite order), then the conditional update, the other open attempts cancelled, the
 * audit entry, the receipt job and — when the dossier is reported to the national portal — its sync job, which sends
 * the dossier's current state (DuocThanhToanTrucTuyen). 'duplicate' when it was paid already. The caller wakes the jobs.
 */
export async function recordOnlinePaid(
  ctx: AppContext, tx: Db, paymentId: string, message: ConfirmMessage, source: ConfirmationSource,
): Promise<'confirmed' | 'duplicate'> {
  const log = (outcome: string) => paymentsRepo.insertPaymentNotification(tx, {
    reference: message.MaThamChieu, kind: source.kind, verified: true, outcome, body: knownFields(source.body), sourceIp: source.sourceIp,
  });
  const before = await findPaymentById(ctx.db, paymentId);
  const dossier = before ? await findDossierById(ctx.db, before.dossierId) : undefined;
  if (!before || !dossier) throw new Error(`payment ${paymentId} or its dossier vanished`);
  const syncRow = await portalSyncRow(ctx, dossier);
  await paymentsRepo.lockDossierForPayment(tx, dossier.id);
  // Read again under the lock: its status (previousStatus below) may have changed while we waited.
  const payment = (await findPaymentById(tx, paymentId))!;
  const actor = source.via === 'callback' ? platformActor(source.sourceIp) : RECONCILIATION_ACTOR;
  const paid = await paymentsRepo.markPaymentPaid(tx, payment.id, {
    paidAt: parseVnTimestamp(message.ThoiGianGD) ?? new Date(), platformTransactionId: message.MaGiaoDich || null, confirmedVia: source.via,
  });
  if (!paid) { await log('duplicate'); return 'duplicate'; }
  const others = (await paymentsRepo.paymentsWithStatus(tx, payment.dossierId, ['paid', 'pending'])).filter((p) => p.id !== payment.id);
  // A second attempt paid too (an abandoned one finished after all): recorded, and said, for staff to refund.
  const alsoPaid = others.filter((p) => p.status === 'paid').map((p) => p.reference);
  // Other attempts still open are not wanted any more (were one finished after all, reconciliation and its callback still count it).
  for (const open of others.filter((p) => p.status === 'pending' && p.method === 'online')) {
    if (await paymentsRepo.closePendingPayment(tx, open.id, 'cancelled', 'Đã nộp phí bằng giao dịch khác')) {
      await recordAudit(tx, actor, 'payment.cancelled', dossier.code, { reference: open.reference, paidBy: payment.reference });
    }
  }
  await recordAudit(tx, actor, 'payment.confirmed', dossier.code, {
    reference: payment.reference, amount: payment.amount, transactionId: message.MaGiaoDich, via: source.via, previousStatus: payment.status,
    ...(alsoPaid.length > 0 ? { alsoPaid } : {}),
  });
  await insertOutbox(tx, [
    { job: ISSUE_PAYMENT_RECEIPT_JOB, payload: { paymentId: payment.id } },
    ...(syncRow ? [syncRow] : []),
  ]);
  await log(alsoPaid.length > 0 ? 'confirmed (duplicate payment)' : 'confirmed');
  return 'confirmed';
}

/** The national portal's sync job for a dossier paid at the desk, in the desk payment's transaction. */
export async function reportDeskPaid(ctx: AppContext, tx: Db, dossier: DossierRow): Promise<void> {
  const row = await portalSyncRow(ctx, dossier);
  if (row) await insertOutbox(tx, [row]);
}

/**
 * Applies a verified message about a payment (a callback, or a settled status check rebuilt in its shape). Throws
 * CallbackRefused (nothing changed, the refusal logged) when it does not match our payment.
 */
export async function applyConfirmation(ctx: AppContext, message: ConfirmMessage, source: ConfirmationSource): Promise<{ outcome: ConfirmationOutcome; paymentId: string }> {
  const log = (db: Db, outcome: string) => paymentsRepo.insertPaymentNotification(db, {
    reference: message.MaThamChieu, kind: source.kind, verified: true, outcome, body: knownFields(source.body), sourceIp: source.sourceIp,
  });
  const refuse = async (code: RefusalCode, text: string, reason: string): Promise<never> => {
    await log(ctx.db, `refused: ${reason}`);
    throw new CallbackRefused(code, text, reason);
  };
  if (message.MaDoiTac !== ctx.config.paymentPlatform?.partnerCode) return refuse('PAYMENT_CALLBACK_MISMATCH', 'Mã đối tác không đúng', 'partner');
  const payment = await findPaymentByReference(ctx.db, message.MaThamChieu);
  if (!payment || payment.method !== 'online') return refuse('PAYMENT_NOT_FOUND', 'Không tìm thấy giao dịch', 'unknown reference');
  if (mismatchOf(ctx, payment, message)) return refuse('PAYMENT_CALLBACK_MISMATCH', 'Số tiền hoặc loại tiền không khớp', 'amount');

  if (message.MaLoi === PAID_CODE) {
    const outcome = await ctx.db.transaction((tx) => recordOnlinePaid(ctx, tx, payment.id, message, source));
    if (outcome === 'confirmed') ctx.jobs.wake();
    return { outcome, paymentId: payment.id };
  }

  const dossier = await findDossierById(ctx.db, payment.dossierId);
  const actor = source.via === 'callback' ? platformActor(source.sourceIp) : RECONCILIATION_ACTOR;
  const outcome = await ctx.db.transaction(async (tx) => {
    const failed = await paymentsRepo.closePendingPayment(tx, payment.id, 'failed', source.failureReason ?? `Thanh toán không thành công (mã lỗi ${message.MaLoi})`);
    if (!failed) { await log(tx, `ignored: payment is ${payment.status}`); return 'ignored' as const; }
    await recordAudit(tx, actor, 'payment.failed', dossier?.code ?? null, { reference: payment.reference, code: message.MaLoi, via: source.via });
    await log(tx, 'failed');
    return 'failed' as const;
  });
  return { outcome, paymentId: payment.id };
}

/** Each field of a platform message we store at most this long: a message is a record, not storage for whoever posts. */
const STORED_FIELD_CHARS = 200;
/** The fields of the contract's messages (callback, status check answer); nothing else a poster sends is stored. */
const KNOWN_FIELDS = [...CHECKSUM_FIELDS.CONFIRM, 'MaXacThuc', 'TrangThaiGD', 'MoTaLoi', 'notAFlatObject'] as const;

/** What payment_notifications keeps of a message: its known fields only, each truncated. */
export function knownFields(body: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const kept: Record<string, string | number | boolean | null> = {};
  for (const field of KNOWN_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    kept[field] = typeof value === 'string' ? value.slice(0, STORED_FIELD_CHARS)
      : typeof value === 'number' || typeof value === 'boolean' || value === null ? value : String(value).slice(0, STORED_FIELD_CHARS);
  }
  return kept;
}

function answer(secret: string, partnerCode: string, reference: string, refusal?: { code: RefusalCode; message: string }): CallbackAnswer {
  const fields = { MaLoi: refusal ? ANSWER_CODES[refusal.code] : PAID_CODE, MaDoiTac: partnerCode, MaThamChieu: reference, ThoiGianGD: vnTimestamp(new Date()) };
  return {
    status: refusal ? ERROR_STATUS[refusal.code] : 200,
    body: {
      ...fields, MoTaLoi: refusal ? refusal.message : 'Đã nhận thông báo thanh toán', MaXacThuc: paymentChecksum('CONFIRM_ANSWER', fields, secret),
      ...(refusal ? { error: { code: refusal.code, message: refusal.message } } : {}),
    },
  };
}

/** An object whose values are all strings, numbers, booleans or null (the shape of every platform message). */
function isFlatObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

/** The platform's confirm callback: verify, log, apply; the answer in the platform's shape. */
export async function receivePaymentCallback(ctx: AppContext, body: unknown, sourceIp: string | null): Promise<CallbackAnswer> {
  // The platform's message is a flat object; anything else is kept only as a note of what came (a deeply nested body
  // would overflow both our string conversions and PostgreSQL's jsonb parser) and refused as malformed below.
  const flat = isFlatObject(body);
  const raw: Record<string, unknown> = flat ? body : { notAFlatObject: Array.isArray(body) ? 'array' : typeof body };
  const reference = typeof raw.MaThamChieu === 'string' ? raw.MaThamChieu.slice(0, 100) : '';
  const config = ctx.config.paymentPlatform;
  const logRefusal = async (verified: boolean, reason: string) => {
    await paymentsRepo.insertPaymentNotification(ctx.db, { reference: reference || null, kind: 'callback', verified, outcome: `refused: ${reason}`, body: knownFields(raw), sourceIp });
  };
  if (!config) {
    await logRefusal(false, 'no payment platform configured');
    return answer('', '', reference, { code: 'PAYMENT_PLATFORM_NOT_CONFIGURED', message: 'Chưa cấu hình kết nối nền tảng thanh toán' });
  }
  const verified = flat && checksumMatches('CONFIRM', raw, config.secret, raw.MaXacThuc);
  const parsed = confirmMessageSchema.safeParse(raw);
  const refused = async (code: RefusalCode, message: string, reason: string, isVerified: boolean) => {
    await logRefusal(isVerified, reason);
    // An unverified post could come from anyone: its notification row is the record, an audit entry each would let
    // anyone fill the audit log.
    if (isVerified) await recordAudit(ctx.db, platformActor(sourceIp), 'payment.callback_refused', null, { reference, code, reason });
    return answer(config.secret, config.partnerCode, reference, { code, message });
  };
  if (!verified) return refused('PAYMENT_CHECKSUM_INVALID', 'Sai mã xác thực (MaXacThuc)', 'checksum', false);
  if (!parsed.success) return refused('PAYMENT_CALLBACK_INVALID', 'Thông báo không đúng định dạng', 'malformed', true);
  try {
    await applyConfirmation(ctx, parsed.data, { kind: 'callback', via: 'callback', body: raw, sourceIp });
    return answer(config.secret, config.partnerCode, reference);
  } catch (error) {
    if (!(error instanceof CallbackRefused)) throw error;
    await recordAudit(ctx.db, platformActor(sourceIp), 'payment.callback_refused', null, { reference, code: error.code, reason: error.reason });
    return answer(config.secret, config.partnerCode, reference, { code: error.code, message: error.message });
  }
}

export { CallbackRefused };
