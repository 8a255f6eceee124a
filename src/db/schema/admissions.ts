// Admission campaigns (grade 1, 6, 10): the registration window, the schools taking part with their quotas, and
// the places given (one per admitted dossier) so a quota can never be exceeded, even by two principals at once.
import { index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { dossiers } from './dossiers.js';
import { staffAccounts, units } from './organisation.js';

export const admissionCampaigns = pgTable('admission_campaigns', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  grade: integer('grade').notNull(),
  schoolYear: text('school_year').notNull(),
  opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
  closesAt: timestamp('closes_at', { withTimezone: true }).notNull(),
  /** How many schools a pupil may list (form fields choice1 … choiceN). */
  choices: integer('choices').notNull().default(3),
  rule: text('rule', { enum: ['deferred-acceptance', 'choice-priority'] }).notNull().default('choice-priority'),
  tieBreak: jsonb('tie_break').$type<string[]>().notNull().default([]),
  /**
   * The windows other than registration (preVerification, adjustment, results, remarking, confirmation,
   * supplementary), each { opensAt, closesAt } in ISO form.
   */
  windows: jsonb('windows').$type<Record<string, { opensAt: string; closesAt: string }>>().notNull().default({}),
  /**
   * Categories of choices (e.g. Ho Chi Minh City 2025: 2 specialised, 3 integrated, 3 regular), in the order they are
   * considered; the choice fields are shared out among them in that order. Empty: one category, plain schools.
   */
  categories: jsonb('categories').$type<Array<{ id: string; label: string; choices: number }>>().notNull().default([]),
  createdAt: createdAt(),
});

export const campaignSchools = pgTable('campaign_schools', {
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  schoolUnitId: text('school_unit_id').notNull().references(() => units.id),
  quota: integer('quota').notNull(),
  /** Seats per category of the campaign ({ regular: 400, integrated: 45 }); `quota` is their sum. Empty without categories. */
  categoryQuotas: jsonb('category_quotas').$type<Record<string, number>>().notNull().default({}),
}, (t) => [primaryKey({ columns: [t.campaignId, t.schoolUnitId] })]);

export const admissionPlaces = pgTable('admission_places', {
  dossierId: uuid('dossier_id').primaryKey().references(() => dossiers.id),
  campaignId: text('campaign_id').notNull(),
  schoolUnitId: text('school_unit_id').notNull(),
  createdAt: createdAt(),
}, (t) => [index('admission_places_school_idx').on(t.campaignId, t.schoolUnitId)]);

/**
 * Official exam scores and priority points per campaign, imported from the exam board's file (all or nothing). Points
 * are kept in hundredths (27.25 → 2725) so totals compare exactly; `extra` holds further tie-break values by name
 * (e.g. grade9Average, also in hundredths), as the campaign's tie-break order names them.
 */
export const admissionScores = pgTable('admission_scores', {
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  pupilIdNumber: text('pupil_id_number').notNull(),
  score: integer('score').notNull(),
  priorityPoints: integer('priority_points').notNull().default(0),
  extra: jsonb('extra').$type<Record<string, number>>().notNull().default({}),
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  importedBy: uuid('imported_by').references(() => staffAccounts.id),
}, (t) => [primaryKey({ columns: [t.campaignId, t.pupilIdNumber] })]);

/** One assignment of a campaign (a job): its progress, the lottery seed it used (published), figures, publication. */
export const admissionRuns = pgTable('admission_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  status: text('status', { enum: ['running', 'done', 'failed'] }).notNull().default('running'),
  /** 'main': every registration; 'supplementary': pupils without a confirmed place, for the seats left after confirmation. */
  round: text('round', { enum: ['main', 'supplementary'] }).notNull().default('main'),
  /** 0..1, written by the job as the assignment goes. */
  progress: real('progress').notNull().default(0),
  rule: text('rule', { enum: ['deferred-acceptance', 'choice-priority'] }).notNull(),
  /** The seed of the lottery tie-break (published with the results, so anyone can recompute the draw). */
  seed: text('seed').notNull(),
  requestedBy: uuid('requested_by').references(() => staffAccounts.id),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  stats: jsonb('stats').$type<Record<string, unknown>>(),
  error: text('error'),
  /** Published results answer the public look-up; a later published run replaces an earlier one (a re-run). */
  publishedAt: timestamp('published_at', { withTimezone: true }),
  /** When the published run was applied to the registration dossiers (admission notices queued for signing). */
  noticesQueuedAt: timestamp('notices_queued_at', { withTimezone: true }),
}, (t) => [index('admission_runs_campaign_idx').on(t.campaignId, t.startedAt)]);

/**
 * Each registered pupil's outcome in a run, precomputed for the result-day look-up (pupil ID + birth date): the school
 * (null: not admitted), the choice it was, the total in hundredths.
 */
export const admissionResults = pgTable('admission_results', {
  runId: uuid('run_id').notNull().references(() => admissionRuns.id),
  campaignId: text('campaign_id').notNull(),
  pupilIdNumber: text('pupil_id_number').notNull(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  /** yyyy-mm-dd, as registered: the look-up's second key. */
  birthDate: text('birth_date').notNull(),
  schoolUnitId: text('school_unit_id'),
  /** The category of the admitted choice ('' without categories). */
  category: text('category').notNull().default(''),
  choiceRank: integer('choice_rank'),
  total: integer('total').notNull(),
}, (t) => [
  primaryKey({ columns: [t.runId, t.pupilIdNumber] }),
  index('admission_results_school_idx').on(t.runId, t.schoolUnitId),
]);

/** Each school's figures in a run: quota, admitted, and the cut-off (lowest admitted total, hundredths; null: none). */
export const admissionCutoffs = pgTable('admission_cutoffs', {
  runId: uuid('run_id').notNull().references(() => admissionRuns.id),
  schoolUnitId: text('school_unit_id').notNull(),
  /** '' without categories. */
  category: text('category').notNull().default(''),
  quota: integer('quota').notNull(),
  admitted: integer('admitted').notNull(),
  cutoff: integer('cutoff'),
}, (t) => [primaryKey({ columns: [t.runId, t.schoolUnitId, t.category] })]);

/**
 * Pre-verification (tiền kiểm): the roster the education database provides, one row per pupil, that parents confirm or
 * correct before registration; rows nobody answered are taken as correct at the window's deadline (status
 * 'auto_confirmed', by the scheduled job). `corrections` keeps what the parent changed, field by field.
 */
export const admissionRoster = pgTable('admission_roster', {
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  pupilIdNumber: text('pupil_id_number').notNull(),
  fullName: text('full_name').notNull(),
  /** yyyy-mm-dd */
  birthDate: text('birth_date').notNull(),
  gender: text('gender'),
  /** The school the pupil attends now (grade 6 and 10), as the education database names it. */
  currentSchool: text('current_school'),
  residence: text('residence'),
  /** A parent's or guardian's personal ID as the education database has it: who may confirm when signed in with VNeID. */
  guardianIdNumber: text('guardian_id_number'),
  status: text('status', { enum: ['pending', 'confirmed', 'corrected', 'auto_confirmed'] }).notNull().default('pending'),
  corrections: jsonb('corrections').$type<Record<string, { from: string | null; to: string }>>().notNull().default({}),
  /** Who answered: the citizen's personal ID, 'staff:<id>' for a desk, 'deadline' for the scheduled job. */
  confirmedBy: text('confirmed_by'),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.campaignId, t.pupilIdNumber] }),
  index('admission_roster_status_idx').on(t.campaignId, t.status),
  index('admission_roster_guardian_idx').on(t.guardianIdNumber),
]);

/** Re-marking (phúc khảo) requests of the remarking window, one per pupil per campaign, with the outcome. */
export const admissionRemarkingRequests = pgTable('admission_remarking_requests', {
  id: uuid('id').primaryKey().defaultRandom(),
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  pupilIdNumber: text('pupil_id_number').notNull(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  /** The exam subjects to re-mark (names as the exam board lists them). */
  subjects: jsonb('subjects').$type<string[]>().notNull(),
  reason: text('reason'),
  status: text('status', { enum: ['requested', 'unchanged', 'changed', 'refused'] }).notNull().default('requested'),
  /** Hundredths, as admission_scores keeps them. */
  scoreBefore: integer('score_before'),
  scoreAfter: integer('score_after'),
  decisionNote: text('decision_note'),
  filedBy: text('filed_by').notNull(),
  filedAt: timestamp('filed_at', { withTimezone: true }).notNull().defaultNow(),
  decidedBy: uuid('decided_by').references(() => staffAccounts.id),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('admission_remarking_pupil_uq').on(t.campaignId, t.pupilIdNumber),
  index('admission_remarking_status_idx').on(t.campaignId, t.status),
]);

/** Online confirmation of enrolment (xác nhận nhập học) of an admitted pupil, before the confirmation deadline. */
export const admissionEnrolments = pgTable('admission_enrolments', {
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  pupilIdNumber: text('pupil_id_number').notNull(),
  /** The published run whose result was confirmed (main or supplementary round). */
  runId: uuid('run_id').notNull().references(() => admissionRuns.id),
  schoolUnitId: text('school_unit_id').notNull(),
  category: text('category').notNull().default(''),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  /** The citizen's personal ID, or 'staff:<id>' when a school recorded it at its desk. */
  confirmedBy: text('confirmed_by').notNull(),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.campaignId, t.pupilIdNumber] }),
  index('admission_enrolments_school_idx').on(t.campaignId, t.schoolUnitId),
]);

/** The supplementary round's choices of a pupil without a confirmed place (schools with seats left), in order. */
export const admissionSupplementaryChoices = pgTable('admission_supplementary_choices', {
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  pupilIdNumber: text('pupil_id_number').notNull(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  /** Program ids as the assignment uses them (school unit id, or unit id + ':' + category). */
  choices: jsonb('choices').$type<string[]>().notNull(),
  filedBy: text('filed_by').notNull(),
  filedAt: timestamp('filed_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.campaignId, t.pupilIdNumber] })]);
