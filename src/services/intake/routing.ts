// Routing: which unit holds a dossier. At intake the definition's `routing` rules (or its `unit` role) pick the unit,
// possibly from form data (the receiving school, the first-choice school); a transition's `routeTo` hands it on. A
// role (desk, office, leadership) is the unit an administrator assigned to it (procedures/unit-roles.ts).
// Choice fields backed by data (`optionsFrom: schools | campaigns`) are listed and checked here too.
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { listCurrentCampaigns } from '../../db/repositories/admissions.js';
import { listUnitsByKind } from '../../db/repositories/routing.js';
import { AppError } from '../../errors.js';
import { conditionHolds } from '../../workflow/registry.js';
import { isUnitRole, type FieldDef, type FieldOption, type OptionsSource, type RouteTarget, type UnitRole, type WorkflowDefinition } from '../../workflow/types.js';
import { assignmentsAmong, procedureNotConfigured, unitNamedBy } from '../procedures/unit-roles.js';
import { intakeOrganisation } from './organisation-cache.js';
import { intakeCampaign } from '../admissions/campaign-cache.js';

/** Options of a data-backed choice field, as GET /api/procedures/:id lists them. */
export async function optionsFor(db: Db, source: OptionsSource, now = new Date()): Promise<FieldOption[]> {
  if (source === 'schools') return (await listUnitsByKind(db, 'school_office')).map((u) => ({ value: u.id, label: u.agencyName }));
  return (await listCurrentCampaigns(db, now)).map((c) => ({ value: c.id, label: c.name }));
}

function dataFields(definition: WorkflowDefinition): FieldDef[] {
  return definition.forms[definition.intakeForm]!.fields.filter((f) => f.optionsFrom !== undefined);
}

/** What a route target names: a unit role to resolve, or a unit id (from a form field, or literal in an old version). */
export type UnitRef = { role: UnitRole } | { unitId: string };

function unitRef(unit: string): UnitRef {
  return isUnitRole(unit) ? { role: unit } : { unitId: unit };
}

/** What a route target names, from the form data when it is field-based; null when that field is empty. Pure. */
export function routeTargetRef(target: RouteTarget, formData: Record<string, unknown>): UnitRef | null {
  if (target.unit) return unitRef(target.unit);
  const value = target.field ? formData[target.field] : undefined;
  return typeof value === 'string' && value !== '' ? { unitId: value } : null;
}

/** The unit id a route target names for a dossier of `procedureId` (PROCEDURE_NOT_CONFIGURED for an unassigned role). */
export async function routeTargetUnit(db: Db, procedureId: string, target: RouteTarget, formData: Record<string, unknown>): Promise<string | null> {
  const ref = routeTargetRef(target, formData);
  if (!ref) return null;
  return 'unitId' in ref ? ref.unitId : unitNamedBy(db, procedureId, ref.role);
}

/** What a new dossier goes to: the first routing rule that holds, else the definition's `unit`. Pure. */
export function intakeUnitRef(definition: WorkflowDefinition, formData: Record<string, unknown>): UnitRef {
  for (const rule of definition.routing ?? []) {
    if (rule.when && !conditionHolds(rule.when, formData)) continue;
    const ref = routeTargetRef(rule, formData);
    if (ref) return ref;
  }
  return unitRef(definition.unit);
}

export interface IntakeRouting {
  unitId: string;
  /**
   * The deciding agency: that of the unit playing `office` for the procedure — the same for every dossier of the
   * procedure whichever unit receives it (a school for a transfer), as the catalogue shows it. It heads the code.
   */
  agencyCode: string;
  /** `<field>Label` for every data-backed choice, stored with the form data so results and forms can print names. */
  labels: Record<string, string>;
}

/**
 * Resolves the intake unit and the deciding agency (the procedure's unit roles) and checks data-backed choices, from
 * the units and assignments this process read within the last few seconds (organisation-cache.ts). A role without a
 * unit refuses the filing (PROCEDURE_NOT_CONFIGURED).
 */
export async function resolveIntake(ctx: AppContext, definition: WorkflowDefinition, formData: Record<string, unknown>): Promise<IntakeRouting> {
  const ref = intakeUnitRef(definition, formData);
  const organisation = await intakeOrganisation(ctx.database);
  const assigned = assignmentsAmong(organisation.assignments, definition.id, 'role' in ref && ref.role !== 'office' ? ['office', ref.role] : ['office']);
  const office = assigned.get('office');
  if (!office) throw procedureNotConfigured('office');
  const intake = 'role' in ref ? assigned.get(ref.role) : undefined;
  if ('role' in ref && !intake) throw procedureNotConfigured(ref.role);
  const unitId = intake?.unitId ?? ('unitId' in ref ? ref.unitId : office.unitId);
  const base = { unitId, agencyCode: office.agencyCode };

  const fields = dataFields(definition);
  if (fields.length === 0 && 'role' in ref) return { ...base, labels: {} };

  const problems: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const field of fields) {
    const value = formData[field.name];
    if (typeof value !== 'string') continue;
    if (field.optionsFrom === 'schools') {
      const unit = organisation.units.get(value);
      if (!unit || unit.kind !== 'school_office') problems[field.name] = 'Trường đã chọn không có trong danh sách.';
      else labels[`${field.name}Label`] = unit.agencyName;
    } else {
      // The same cached read the admission intake check makes next (one campaign read per few seconds, not per filing).
      const campaign = (await intakeCampaign(ctx.db, value))?.campaign;
      if (!campaign) problems[field.name] = 'Kỳ tuyển sinh đã chọn không tồn tại.';
      else labels[`${field.name}Label`] = campaign.name;
    }
  }
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  if (!organisation.units.has(unitId)) throw new AppError('INTERNAL_ERROR', `routing of ${definition.id} names unknown unit ${unitId}`);
  return { ...base, labels };
}
