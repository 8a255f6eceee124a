// What happens around a payment once it is made (schema/payments.ts): the electronic receipt's number and file, desk
// payments, refunds recorded by hand, and the administrators' list. The Payment Platform's own side (asking, callbacks,
// reconciliation) is in payments.ts.
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossiers, paymentRefunds, payments, staffAccounts } from '../schema/index.js';

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

/** How much of a payment was refunded so far (read under the payment's lock before a new refund). */
export async function refundedAmount(db: Db, paymentId: string): Promise<number> {
  const [row] = await db.select({ total: sql<string | null>`sum(${paymentRefunds.amount})` }).from(paymentRefunds)
    .where(eq(paymentRefunds.paymentId, paymentId));
  return Number(row?.total ?? 0);
}

export async function insertRefund(db: Db, row: typeof paymentRefunds.$inferInsert): Promise<RefundRow> {
  const [inserted] = await db.insert(paymentRefunds).values(row).returning();
  return inserted!;
}

export interface RefundView extends RefundRow { recordedByName: string | null }

/** The refunds of these payments, oldest first, with who recorded each. */
export async function listRefunds(db: Db, paymentIds: string[]): Promise<RefundView[]> {
  if (paymentIds.length === 0) return [];
  const rows = await db.select({ refund: paymentRefunds, name: staffAccounts.fullName }).from(paymentRefunds)
    .leftJoin(staffAccounts, eq(staffAccounts.id, paymentRefunds.recordedBy))
    .where(inArray(paymentRefunds.paymentId, paymentIds))
    .orderBy(asc(paymentRefunds.recordedAt), asc(paymentRefunds.id));
  return rows.map((r) => ({ ...r.refund, recordedByName: r.name }));
}

export interface PaymentFilter {
  status?: PaymentRow['status'];
  method?: PaymentRow['method'];
  /** The period, on when the payment was made (paid_at), or asked for while it is not paid. */
  from?: Date;
  to?: Date;
}

const paymentTime = sql`coalesce(${payments.paidAt}, ${payments.createdAt})`;

function filterOf(filter: PaymentFilter): SQL | undefined {
  return and(
    filter.status ? eq(payments.status, filter.status) : undefined,
    filter.method ? eq(payments.method, filter.method) : undefined,
    // A raw expression has no column type to map a Date with: the instants go as ISO text.
    filter.from ? sql`${paymentTime} >= ${filter.from.toISOString()}::timestamptz` : undefined,
    filter.to ? sql`${paymentTime} < ${filter.to.toISOString()}::timestamptz` : undefined,
  );
}

const refundedOf = sql<string>`coalesce((select sum(r.amount) from payment_refunds r where r.payment_id = ${payments.id}), 0)`;

export interface PaymentListRow extends PaymentRow { dossierCode: string }

/** The newest payments matching the filter, at most `limit`, with their dossier's code. */
export async function listPayments(db: Db, filter: PaymentFilter, limit: number): Promise<PaymentListRow[]> {
  const rows = await db.select({ payment: payments, dossierCode: dossiers.code }).from(payments)
    .innerJoin(dossiers, eq(dossiers.id, payments.dossierId))
    .where(filterOf(filter))
    .orderBy(desc(paymentTime), desc(payments.id))
    .limit(limit);
  return rows.map((r) => ({ ...r.payment, dossierCode: r.dossierCode }));
}

/** Over everything the filter matches: how many payments, how much was paid (paid ones) and refunded. */
export async function paymentTotals(db: Db, filter: PaymentFilter): Promise<{ count: number; paidCount: number; paid: number; refunded: number }> {
  const [row] = await db.select({
    count: sql<string>`count(*)`,
    paidCount: sql<string>`count(*) filter (where ${payments.status} = 'paid')`,
    paid: sql<string>`coalesce(sum(${payments.amount}) filter (where ${payments.status} = 'paid'), 0)`,
    refunded: sql<string>`coalesce(sum(${refundedOf}), 0)`,
  }).from(payments).where(filterOf(filter));
  return { count: Number(row?.count ?? 0), paidCount: Number(row?.paidCount ?? 0), paid: Number(row?.paid ?? 0), refunded: Number(row?.refunded ?? 0) };
}
