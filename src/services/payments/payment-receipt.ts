// The electronic fee receipt (biên lai điện tử) of a paid payment: issued by the job 'issue-payment-receipt' (written
// to the outbox by whatever marks the payment paid: the platform's confirmation, reconciliation, a desk payment), and
// served with the same access as the dossier.
//
// Numbering. Receipts are numbered in a yearly series per issuing agency: "BL2026-<agency code>-0000012" (Circular
// 78/2021 caps a receipt number at 7 digits). The outgoing-documents register (services/numbering) is not used: its
// document kinds are seeded by a migration and its registers are Decree 30's (outgoing, copies), and a fee receipt is
// neither. The series lives in payments.receipt_number itself: the next number is read under a transaction-scoped
// advisory lock of the series, in the transaction that writes it, so numbers are unique and gapless.
//
// Idempotence. The number (and the receipt's date) is fixed in a first short transaction; the PDF is drawn and sealed
// outside any transaction (sealing may wait for a timestamp authority); a second transaction stores the file and its
// key, unless a concurrent run already did. A run that dies between the two finds the number on the next try and
// draws the same receipt again; a run after the file is stored does nothing.
import type { AppContext } from '../../app-context.js';
import { findDossierById } from '../../db/repositories/dossiers.js';
import { newFileKey } from '../../db/repositories/files.js';
import {
  findPaymentById, findPaymentByReference, findPaymentForUpdate, lastReceiptSequence, setReceiptFile, setReceiptNumber,
  type PaymentRow,
} from '../../db/repositories/payment-records.js';
import { findAgency, findAgencyOfUnit, findStaffById } from '../../db/repositories/staff.js';
import { renderReceiptPdf } from '../../documents/receipt.js';
import { AppError } from '../../errors.js';
import { loadDossierFor, type Caller } from '../access.js';
import { registerYear } from '../numbering/document-numbers.js';
import { formatTimeVN, sealForm, trackingUrl } from '../results/one-stop-forms.js';

/** The job that issues a paid payment's receipt; its payload is `{ paymentId }`. */
export const ISSUE_PAYMENT_RECEIPT_JOB = 'issue-payment-receipt';

const SEQUENCE_DIGITS = 7;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function paymentNotFound(): AppError {
  return new AppError('PAYMENT_NOT_FOUND', 'Không tìm thấy khoản thanh toán này của hồ sơ.');
}

/** "BL2026-000.00.31.H56-0000012" → its series (the symbol printed as "Ký hiệu") and its number. */
export function splitReceiptNumber(receiptNumber: string): { symbol: string; sequence: string } {
  return { symbol: receiptNumber.slice(0, -(SEQUENCE_DIGITS + 1)), sequence: receiptNumber.slice(-SEQUENCE_DIGITS) };
}

/** Issues the receipt of a paid payment once: numbered, drawn, sealed with the agency's seal and stored. */
export async function issuePaymentReceipt(ctx: AppContext, paymentId: string): Promise<void> {
  const payment = await findPaymentById(ctx.db, paymentId);
  if (!payment) throw paymentNotFound();
  if (payment.receiptStorageKey) return;
  if (payment.status !== 'paid' || !payment.paidAt) {
    throw new AppError('PAYMENT_NOT_PAID', `payment ${payment.reference} is ${payment.status}: no receipt`);
  }
  const dossier = await findDossierById(ctx.db, payment.dossierId);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', `dossier ${payment.dossierId} is gone`);
  // The agency of the unit handling the dossier collects the fee and issues the receipt (as it issues the forms).
  const agency = (await findAgencyOfUnit(ctx.db, dossier.unitId)) ?? (await findAgency(ctx.db, dossier.agencyCode));
  if (!agency) throw new AppError('INTERNAL_ERROR', `no agency for the receipt of ${dossier.code}`);

  const numbered = await ctx.db.transaction(async (tx) => {
    const locked = await findPaymentForUpdate(tx, payment.id);
    if (!locked) throw paymentNotFound();
    if (locked.receiptNumber && locked.receiptIssuedAt) return { number: locked.receiptNumber, issuedAt: locked.receiptIssuedAt };
    const issuedAt = new Date();
    const prefix = `BL${registerYear(issuedAt)}-${agency.code}-`;
    const number = `${prefix}${String((await lastReceiptSequence(tx, prefix)) + 1).padStart(SEQUENCE_DIGITS, '0')}`;
    await setReceiptNumber(tx, payment.id, number, issuedAt);
    return { number, issuedAt };
  });

  const [definition, collector] = await Promise.all([
    ctx.catalog.definitionFor(dossier.procedureVersionId), deskCollector(ctx, payment),
  ]);
  const { symbol, sequence } = splitReceiptNumber(numbered.number);
  const unsealed = await renderReceiptPdf({
    templatesDir: ctx.config.templatesDir, symbol, sequence,
    issuer: { parentName: '', agencyName: agency.name }, place: agency.place, issuedAt: numbered.issuedAt,
    dossierCode: dossier.code, procedureTitle: definition.title, trackingUrl: trackingUrl(ctx.config.publicUrl, dossier.code),
    payer: { name: dossier.applicantName, idNumber: dossier.applicantIdNumber, address: dossier.applicantAddress },
    lines: payment.lines.length > 0 ? payment.lines : [{ label: definition.title, amount: payment.amount }],
    method: payment.method, transactionId: payment.platformTransactionId, reference: payment.reference,
    paidTime: formatTimeVN(payment.paidAt),
    signer: collector ? { name: collector, title: 'NGƯỜI THU TIỀN' } : { name: agency.name, title: 'ĐƠN VỊ THU PHÍ, LỆ PHÍ' },
  });
  const pdf = await sealForm(ctx, unsealed, agency, `Biên lai thu phí, lệ phí ${numbered.number}`);

  const key = newFileKey('issued');
  const stored = await ctx.files.put(ctx.db, [{ key, data: pdf }]);
  await ctx.db.transaction(async (tx) => {
    const locked = await findPaymentForUpdate(tx, payment.id);
    // A concurrent run stored its receipt first: keep it, store no second file (an object already uploaded stays
    // unclaimed, and the orphan sweep deletes it).
    if (!locked || locked.receiptStorageKey) return;
    await ctx.files.record(tx, stored);
    await setReceiptFile(tx, payment.id, key);
  });
}

/** The clerk who took a desk payment (their name signs the receipt); none for an online one. */
async function deskCollector(ctx: AppContext, payment: PaymentRow): Promise<string | undefined> {
  if (payment.method !== 'desk' || !payment.createdBy || !UUID.test(payment.createdBy)) return undefined;
  return (await findStaffById(ctx.db, payment.createdBy))?.fullName;
}

/** GET /api/dossiers/:code/payments/:reference/receipt — 404 until the receipt is stored. */
export async function paymentReceiptPdf(ctx: AppContext, code: string, reference: string, caller: Caller): Promise<{ fileName: string; data: Buffer }> {
  const { dossier } = await loadDossierFor(ctx, code, caller);
  const payment = await findPaymentByReference(ctx.db, reference);
  if (!payment || payment.dossierId !== dossier.id) throw paymentNotFound();
  if (!payment.receiptStorageKey || !payment.receiptNumber) {
    throw new AppError('RECEIPT_NOT_READY', 'Biên lai điện tử của khoản thanh toán này chưa được phát hành.');
  }
  return { fileName: `${dossier.code}-bien-lai-${payment.reference}.pdf`, data: await ctx.files.read(ctx.db, payment.receiptStorageKey) };
}
