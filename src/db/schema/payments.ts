// Fees: each payment asked of the national Payment Platform (or taken at the desk) for a dossier, what the platform
// told us about it (every callback and status check, verified or refused), and refunds, which are recorded by hand.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { dossiers } from './dossiers.js';
import { staffAccounts } from './organisation.js';

export interface FeeLine { code: string; label: string; amount: number }

export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'cancelled'] as const;

export const payments = pgTable('payments', {
  id: uuid('id').primaryKey().defaultRandom(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  /** Our reference for the platform (mã tham chiếu): unique, the key of its callbacks and status checks. */
  reference: text('reference').notNull().unique(),
  /** 'online' through the Payment Platform; 'desk' taken in cash or by card at the one-stop desk and recorded there. */
  method: text('method', { enum: ['online', 'desk'] }).notNull(),
  /** In đồng (VND has no minor unit). */
  amount: bigint('amount', { mode: 'number' }).notNull(),
  lines: jsonb('lines').$type<FeeLine[]>().notNull(),
  status: text('status', { enum: PAYMENT_STATUSES }).notNull().default('pending'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Who asked for it: the citizen's session or the staff member who recorded a desk payment. */
  createdBy: text('created_by'),
  paidAt: timestamp('paid_at', { withTimezone: true }),
  /** The platform's transaction id (mã giao dịch) once paid. */
  platformTransactionId: text('platform_transaction_id'),
  /** How we learnt it was paid: the platform's callback, or our reconciliation asking it. */
  confirmedVia: text('confirmed_via', { enum: ['callback', 'reconciliation', 'desk'] }),
  lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
  checks: integer('checks').notNull().default(0),
  /** The electronic receipt (biên lai điện tử): its number and the stored PDF, once issued. */
  receiptNumber: text('receipt_number'),
  receiptStorageKey: text('receipt_storage_key'),
  receiptIssuedAt: timestamp('receipt_issued_at', { withTimezone: true }),
  failureReason: text('failure_reason'),
}, (t) => [
  index('payments_dossier_idx').on(t.dossierId),
  index('payments_pending_idx').on(t.createdAt).where(sql`${t.status} = 'pending'`),
  index('payments_paid_idx').on(t.paidAt).where(sql`${t.status} = 'paid'`),
  // A receipt number is given once (services/payments/payment-receipt.ts numbers under a lock; this is the guarantee).
  uniqueIndex('payments_receipt_number_uq').on(t.receiptNumber).where(sql`${t.receiptNumber} is not null`),
]);

/** Everything the Payment Platform sent or answered about a payment, verified or not (forged callbacks included). */
export const paymentNotifications = pgTable('payment_notifications', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  reference: text('reference'),
  kind: text('kind', { enum: ['callback', 'status-check'] }).notNull(),
  /** The checksum matched the shared secret. */
  verified: boolean('verified').notNull(),
  /** What it did: confirmed, duplicate, failed, refused (with the reason), ignored. */
  outcome: text('outcome').notNull(),
  body: jsonb('body').$type<Record<string, unknown>>().notNull(),
  sourceIp: text('source_ip'),
}, (t) => [index('payment_notifications_reference_idx').on(t.reference, t.receivedAt)]);

/** A refund, recorded by hand by the staff who made it (the platform's refund is outside motcua). */
export const paymentRefunds = pgTable('payment_refunds', {
  id: uuid('id').primaryKey().defaultRandom(),
  paymentId: uuid('payment_id').notNull().references(() => payments.id),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  reason: text('reason').notNull(),
  /** The bank or platform reference of the refund, when there is one. */
  externalReference: text('external_reference'),
  recordedBy: uuid('recorded_by').notNull().references(() => staffAccounts.id),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('payment_refunds_payment_idx').on(t.paymentId)]);
