// The service-quality figures' monthly rollup (db/repositories/report-rollup.ts): per filing month (Vietnam time), the
// counts db/repositories/stats.ts would compute from the dossiers, kept for months that no longer change often.
import { sql } from 'drizzle-orm';
import { bigserial, date, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per (filing month, procedure, state, unit, agency) and, for dossiers whose clock is running, their due
 * time: whether those are late depends on the moment the figures are read, so they are kept by due time and compared
 * then. Every other count is what the dossiers of the group were when the month was built.
 */
export const reportRollup = pgTable('report_rollup', {
  month: date('month').notNull(),
  procedureId: text('procedure_id').notNull(),
  status: text('status').notNull(),
  unitId: text('unit_id').notNull(),
  agencyCode: text('agency_code').notNull(),
  /** Due time of the group's dossiers whose clock is running (not decided yet); null for every other dossier. */
  runningDueAt: timestamp('running_due_at', { withTimezone: true }),
  dossiers: integer('dossiers').notNull(),
  online: integer('online').notNull(),
  completed: integer('completed').notNull(),
  onTime: integer('on_time').notNull(),
  rated: integer('rated').notNull(),
  unsatisfied: integer('unsatisfied').notNull(),
  complained: integer('complained').notNull(),
  satisfactory: integer('satisfactory').notNull(),
  vneid: integer('vneid').notNull(),
  withReusedDocument: integer('with_reused_document').notNull(),
  followedOnline: integer('followed_online').notNull(),
  withSyncSteps: integer('with_sync_steps').notNull(),
  synced: integer('synced').notNull(),
  open: integer('open').notNull(),
  lateDecided: integer('late_decided').notNull(),
  lateDecidedApologised: integer('late_decided_apologised').notNull(),
  /** Of the group, with the clock running (all of them when runningDueAt is set). */
  running: integer('running').notNull(),
  runningApologised: integer('running_apologised').notNull(),
  digitisedOrReused: integer('digitised_or_reused').notNull(),
  resultIssued: integer('result_issued').notNull(),
  signedResults: integer('signed_results').notNull(),
  withFee: integer('with_fee').notNull(),
  paidOnline: integer('paid_online').notNull(),
}, (t) => [index('report_rollup_month_idx').on(t.month, t.procedureId)]);

/** Months whose rollup rows exist, and when they were built. */
export const reportRollupMonths = pgTable('report_rollup_months', {
  month: date('month').primaryKey(),
  builtAt: timestamp('built_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A past month some statement changed after its rollup was built (or before: it is built anyway) — written by the
 * triggers of migration 0020 in the changing statement's transaction, deleted by the statement that rebuilds the month.
 * Append-only (no row is updated), so writers never wait on each other for it.
 */
export const reportRollupMarks = pgTable('report_rollup_marks', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  month: date('month').notNull(),
  markedAt: timestamp('marked_at', { withTimezone: true }).notNull().default(sql`now()`),
}, (t) => [index('report_rollup_marks_month_idx').on(t.month)]);
