// Admission campaigns (grade 1, 6, 10): the registration window, the schools taking part with their quotas, and
// the places given (one per admitted dossier) so a quota can never be exceeded, even by two principals at once.
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { dossiers } from './dossiers.js';
import { units } from './organisation.js';

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
