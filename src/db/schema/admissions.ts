// Admission campaigns (grade 1, 6, 10): the registration window, the schools taking part with their quotas, and
// the places given (one per admitted dossier) so a quota can never be exceeded, even by two principals at once.
import { index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
  /** Later windows (adjustment, confirmation), each { opensAt, closesAt } in ISO form. */
  windows: jsonb('windows').$type<Record<string, { opensAt: string; closesAt: string }>>().notNull().default({}),
  createdAt: createdAt(),
});

export const campaignSchools = pgTable('campaign_schools', {
  campaignId: text('campaign_id').notNull().references(() => admissionCampaigns.id),
  schoolUnitId: text('school_unit_id').notNull().references(() => units.id),
  quota: integer('quota').notNull(),
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
  quota: integer('quota').notNull(),
  admitted: integer('admitted').notNull(),
  cutoff: integer('cutoff'),
}, (t) => [primaryKey({ columns: [t.runId, t.schoolUnitId] })]);
