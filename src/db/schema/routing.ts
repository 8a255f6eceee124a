// Routing and the statutory clock's side tables: hand-overs between units (the control slip, "Phiếu kiểm soát quá
// trình giải quyết hồ sơ") and SLA alerts raised by the sweep for delivery to the responsible unit.
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { dossiers } from './dossiers.js';
import { staffAccounts, units } from './organisation.js';

/**
 * One row per hand-over of a dossier from one unit to another, written in the same transaction as the state change
 * that moved it. The control-slip PDF lists these rows in order: from unit, to unit, time, result, by whom.
 */
export const dossierHandovers = pgTable('dossier_handovers', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  /** null for the first routing at intake (from the citizen / the portal). */
  fromUnitId: text('from_unit_id').references(() => units.id),
  toUnitId: text('to_unit_id').notNull().references(() => units.id),
  /** The workflow action that moved it (`release`, `refer`, `assign` ...). */
  action: text('action').notNull(),
  /** What the handing-over unit concluded, as printed in the slip's "kết quả" column (action label + comment). */
  result: text('result').notNull(),
  byStaffId: uuid('by_staff_id').references(() => staffAccounts.id),
  byName: text('by_name').notNull(),
  /** The dossier's status after the hand-over and the version it produced (ties the row to the history event). */
  status: text('status').notNull(),
  dossierVersion: integer('dossier_version').notNull(),
}, (t) => [
  index('dossier_handovers_dossier_idx').on(t.dossierId, t.id),
  index('dossier_handovers_units_idx').on(t.fromUnitId, t.toUnitId),
]);

/**
 * Raised by the SLA sweep (and by an apology) for the unit holding the dossier; a notify job delivers them
 * (deliveredAt set) — until one exists they are listed by GET /api/sla-alerts. One per dossier, kind and due date,
 * so a sweep that runs twice raises nothing new.
 */
export const slaAlerts = pgTable('sla_alerts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  dossierId: uuid('dossier_id').notNull().references(() => dossiers.id),
  unitId: text('unit_id').notNull().references(() => units.id),
  kind: text('kind', { enum: ['due_soon', 'overdue', 'state_overdue'] }).notNull(),
  dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
  data: jsonb('data').$type<Record<string, unknown>>(),
  createdAt: createdAt(),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('sla_alerts_once_uq').on(t.dossierId, t.kind, t.dueAt),
  index('sla_alerts_unit_idx').on(t.unitId, t.createdAt),
]);
