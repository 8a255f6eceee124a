// The Payment Platform's side of dossier fees: asking (one attempt at a time per dossier), settling, status checks,
// and what the platform told us (payment_notifications); lookups by id or reference are in payment-records.ts. State
// changes are conditional updates, so a repeated callback or a callback racing reconciliation changes a payment once.
import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossiers, paymentNotifications, payments } from '../schema/index.js';

export type PaymentRow = typeof payments.$inferSelect;
export type NewPayment = typeof payments.$inferInsert;
export type NewPaymentNotification = typeof paymentNotifications.$inferInsert;

export async function insertPayment(db: Db, row: NewPayment): Promise<PaymentRow> {
  const [inserted] = await db.insert(payments).values(row).returning();
  return inserted!;
}

/** How many payments (of any status) the dossier has had: the attempt number of the next one. */
export async function countPaymentsOfDossier(db: Db, dossierId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(payments).where(eq(payments.dossierId, dossierId));
  return Number(row?.n ?? 0);
}

/**
 * Takes the dossier's row lock until the transaction ends: payment requests of one dossier run one after the other,
 * so two tabs cannot open two pending payments at once.
 */
export async function lockDossierForPayment(db: Db, dossierId: string): Promise<void> {
  await db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.id, dossierId)).for('update');
}

/** Paid: only from another status, so the first confirmation wins and a repeat changes nothing (undefined). */
export async function markPaymentPaid(
  db: Db, id: string, change: { paidAt: Date; platformTransactionId: string | null; confirmedVia: 'callback' | 'reconciliation' | 'desk' },
): Promise<PaymentRow | undefined> {
  const [row] = await db.update(payments)
    .set({ status: 'paid', paidAt: change.paidAt, platformTransactionId: change.platformTransactionId, confirmedVia: change.confirmedVia, failureReason: null })
    .where(and(eq(payments.id, id), sql`${payments.status} <> 'paid'`))
    .returning();
  return row;
}

/** Failed or cancelled: only while pending (a paid payment is never undone by a later message). */
export async function closePendingPayment(db: Db, id: string, status: 'failed' | 'cancelled', reason: string): Promise<PaymentRow | undefined> {
  const [row] = await db.update(payments)
    .set({ status, failureReason: reason.slice(0, 500) })
    .where(and(eq(payments.id, id), eq(payments.status, 'pending')))
    .returning();
  return row;
}

/** A status check that did not settle the payment. */
export async function recordPaymentCheck(db: Db, id: string, at: Date): Promise<void> {
  await db.update(payments).set({ checks: sql`${payments.checks} + 1`, lastCheckedAt: at }).where(eq(payments.id, id));
}

/**
 * What reconciliation asks the platform about, oldest first: online payments asked for before `createdBefore` and not
 * checked since `checkedBefore` that are still pending, or were cancelled or failed on our side but opened after
 * `closedSince` (the platform may still take money on them: see services/payments/reconcile-payments.ts).
 */
export async function duePaymentChecks(
  db: Db, window: { createdBefore: Date; checkedBefore: Date; closedSince: Date }, limit: number,
): Promise<PaymentRow[]> {
  return db.select().from(payments)
    .where(and(
      eq(payments.method, 'online'), lt(payments.createdAt, window.createdBefore),
      or(eq(payments.status, 'pending'), and(inArray(payments.status, ['cancelled', 'failed']), gte(payments.createdAt, window.closedSince))),
      or(isNull(payments.lastCheckedAt), lt(payments.lastCheckedAt, window.checkedBefore)),
    ))
    .orderBy(asc(payments.createdAt)).limit(limit);
}

/** A dossier's payments with one of these statuses (pending and paid: the one that counts). */
export async function paymentsWithStatus(db: Db, dossierId: string, statuses: Array<PaymentRow['status']>): Promise<PaymentRow[]> {
  return db.select().from(payments).where(and(eq(payments.dossierId, dossierId), inArray(payments.status, statuses))).orderBy(desc(payments.createdAt));
}

export async function insertPaymentNotification(db: Db, row: NewPaymentNotification): Promise<void> {
  await db.insert(paymentNotifications).values(row);
}
