// What happens around a payment once it is made (schema/payments.ts): the electronic receipt's number and file, desk
// payments, refunds recorded by hand, and the administrators' list. The Payment Platform's own side (asking, callbacks,
// reconciliation) is in payments.ts.
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossiers, paymentRefunds, payments, staffAccounts, type FeeLine } from '../schema/index.js';

export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof paymentRefunds.$inferSelect;

export async function findPaymentById(db: Db, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  return row;
}

/** The payment locked until the transaction ends: receipt numbering, refunds and desk payments serialise on it. */
export async function findPaymentForUpdate(db: Db, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id)).for('update');
  return row;
}

export async function findPaymentByReference(db: Db, reference: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.reference, reference));
  return row;
}

export function listPaymentsOfDossier(db: Db, dossierId: string): Promise<PaymentRow[]> {
  return db.select().from(payments).where(eq(payments.dossierId, dossierId)).orderBy(asc(payments.createdAt));
}

/**
 * The last number given in one receipt series (`prefix`: "BL2026-<agency code>-"), read after taking the series'
 * transaction-scoped advisory lock: two transactions numbering in one series run one after the other, and a rollback
 * gives its number back. The series lives in the receipt numbers themselves (no counter table: see the service).
 */
export async function lastReceiptSequence(db: Db, prefix: string): Promise<number> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`payment-receipt:${prefix}`}, 0))`);
  const [row] = await db.select({ last: sql<string | null>`max(right(${payments.receiptNumber}, 7))` }).from(payments)
    .where(sql`starts_with(${payments.receiptNumber}, ${prefix})`);
  return row?.last ? Number(row.last) : 0;
}

export async function setReceiptNumber(db: Db, id: string, receiptNumber: string, issuedAt: Date): Promise<void> {
  await db.update(payments).set({ receiptNumber, receiptIssuedAt: issuedAt }).where(eq(payments.id, id));
}

export async function setReceiptFile(db: Db, id: string, storageKey: string): Promise<void> {
  await db.update(payments).set({ receiptStorageKey: storageKey }).where(eq(payments.id, id));
}
