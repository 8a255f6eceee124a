// What administrators set in the product rather than in files: the organisation's settings, which unit plays each
// part a workflow names (desk, office, leadership), procedures switched on or off, the working-day calendar, and the
// append-only audit log (a trigger in migration 0005 refuses UPDATE, DELETE and TRUNCATE on it).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { UNIT_ROLES } from '../../workflow/types.js';
import { units } from './organisation.js';

/** One row (id = 1). `revision` grows with every change to data each process caches (services/administration). */
export const organisationSettings = pgTable('organisation_settings', {
  id: integer('id').primaryKey().default(1),
  /** "Thanh Hóa": shown in the header, on documents and in e-mails. */
  provinceName: text('province_name').notNull().default(''),
  /** The Department's agency (QCVN 102 code): its name is the site's name. */
  departmentAgencyCode: text('department_agency_code'),
  /** Set when the first-run set-up is finished; until then an administrator is led to it. */
  setupCompletedAt: timestamp('setup_completed_at', { withTimezone: true }),
  revision: bigint('revision', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [check('organisation_settings_one_row_ck', sql`${t.id} = 1`)]);

/** The parts of a procedure a workflow file names instead of a unit id: defined with the workflow contract. */
export { UNIT_ROLES, type UnitRole } from '../../workflow/types.js';

/**
 * Which unit plays a part: for one procedure, or for every procedure (`procedureId` = '*'); a procedure's own row
 * wins over the default.
 */
export const procedureUnits = pgTable('procedure_units', {
  procedureId: text('procedure_id').notNull(),
  role: text('role', { enum: UNIT_ROLES }).notNull(),
  unitId: text('unit_id').notNull().references(() => units.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.procedureId, t.role] })]);

/** A procedure an administrator switched off takes no new dossiers; those already filed go on. */
export const procedureSettings = pgTable('procedure_settings', {
  procedureId: text('procedure_id').primaryKey(),
  enabled: boolean('enabled').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A year's departures from the statutory calendar (calendar/working-days.ts): weekdays off (Tết arrangements, the
 * second National Day day) and weekends worked to make up for them. A year with a row is taken as complete.
 */
export const calendarYears = pgTable('calendar_years', {
  year: integer('year').primaryKey(),
  holidays: text('holidays').array().notNull().default(sql`'{}'::text[]`),
  workingWeekends: text('working_weekends').array().notNull().default(sql`'{}'::text[]`),
  note: text('note'),
  updatedBy: uuid('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every staff and administrator act, append-only; dossier history stays in dossier_events as well. */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  actorId: uuid('actor_id'),
  /** Kept as written: the log must read the same after an account is renamed. */
  actorName: text('actor_name').notNull(),
  actorKind: text('actor_kind', { enum: ['staff', 'citizen', 'system', 'anonymous'] }).notNull(),
  /** Dotted and stable: `auth.login`, `staff.created`, `dossier.approve`, … (services/audit/actions.ts). */
  action: text('action').notNull(),
  /** What was acted on: a username, a dossier code, a unit id, a year. */
  target: text('target'),
  ip: text('ip'),
  details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
}, (t) => [
  index('audit_log_at_idx').on(t.at),
  index('audit_log_actor_idx').on(t.actorId, t.at),
  index('audit_log_action_idx').on(t.action, t.at),
  index('audit_log_target_idx').on(t.target, t.at),
]);
