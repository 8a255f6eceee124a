// Routing: which unit holds a dossier. At intake the definition's `routing` rules (or its fixed `unit`) pick the unit,
// possibly from form data (the receiving school, the first-choice school); a transition's `routeTo` hands it on.
// Choice fields backed by data (`optionsFrom: schools | campaigns`) are listed and checked here too.
import type { AppContext } from '../../app-context.js';
import type { Db } from '../../db/client.js';
import { findCampaign, listCurrentCampaigns } from '../../db/repositories/admissions.js';
import { findUnitsByIds, listUnitsByKind } from '../../db/repositories/routing.js';
import { AppError } from '../../errors.js';
import { conditionHolds } from '../../workflow/registry.js';
import type { FieldDef, FieldOption, OptionsSource, RouteTarget, WorkflowDefinition } from '../../workflow/types.js';

/** Options of a data-backed choice field, as GET /api/procedures/:id lists them. */
export async function optionsFor(db: Db, source: OptionsSource, now = new Date()): Promise<FieldOption[]> {
  if (source === 'schools') return (await listUnitsByKind(db, 'school_office')).map((u) => ({ value: u.id, label: u.agencyName }));
  return (await listCurrentCampaigns(db, now)).map((c) => ({ value: c.id, label: c.name }));
}

function dataFields(definition: WorkflowDefinition): FieldDef[] {
  return definition.forms[definition.intakeForm]!.fields.filter((f) => f.optionsFrom !== undefined);
}

/** Unit id named by a route target, from the form data when it is field-based. */
export function routeTargetUnit(target: RouteTarget, formData: Record<string, unknown>): string | null {
  if (target.unit) return target.unit;
  const value = target.field ? formData[target.field] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The unit a new dossier goes to: the first routing rule that holds, else the definition's `unit`. Pure. */
export function intakeUnit(definition: WorkflowDefinition, formData: Record<string, unknown>): string {
  for (const rule of definition.routing ?? []) {
    if (rule.when && !conditionHolds(rule.when, formData)) continue;
    const unit = routeTargetUnit(rule, formData);
    if (unit) return unit;
  }
  return definition.unit;
}

export interface IntakeRouting {
  unitId: string;
  /** `<field>Label` for every data-backed choice, stored with the form data so results and forms can print names. */
  labels: Record<string, string>;
}

/**
 * Checks data-backed choices against the database and resolves the intake unit. Procedures without such fields
 * and without field-based routing cost no query: intake stays one statement for them.
 */
export async function resolveIntake(ctx: AppContext, definition: WorkflowDefinition, formData: Record<string, unknown>): Promise<IntakeRouting> {
  const fields = dataFields(definition);
  const unitId = intakeUnit(definition, formData);
  if (fields.length === 0 && !(definition.routing ?? []).some((r) => r.field)) return { unitId, labels: {} };

  const problems: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const schoolIds = fields.filter((f) => f.optionsFrom === 'schools').map((f) => formData[f.name]).filter((v): v is string => typeof v === 'string');
  const found = new Map((await findUnitsByIds(ctx.db, [...new Set([...schoolIds, unitId])])).map((u) => [u.id, u]));
  for (const field of fields) {
    const value = formData[field.name];
    if (typeof value !== 'string') continue;
    if (field.optionsFrom === 'schools') {
      const unit = found.get(value);
      if (!unit || unit.kind !== 'school_office') problems[field.name] = 'Trường đã chọn không có trong danh sách.';
      else labels[`${field.name}Label`] = unit.agencyName;
    } else {
      const campaign = await findCampaign(ctx.db, value);
      if (!campaign) problems[field.name] = 'Kỳ tuyển sinh đã chọn không tồn tại.';
      else labels[`${field.name}Label`] = campaign.name;
    }
  }
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  if (!found.has(unitId)) throw new AppError('INTERNAL_ERROR', `routing of ${definition.id} names unknown unit ${unitId}`);
  return { unitId, labels };
}
