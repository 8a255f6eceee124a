// What the administration's endpoints could change, read straight from the database: the security suites take it
// before and after their cases, which must leave it as it was.
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../src/app-context.js';
import { rowsOf } from '../../src/db/repositories/outbox.js';

export async function administrationState(db: AppContext['db']): Promise<Record<string, unknown>> {
  const read = async (query: SQL) => rowsOf<Record<string, unknown>>(await db.execute(query));
  return {
    settings: await read(sql`select province_name, department_agency_code, setup_completed_at, revision from organisation_settings`),
    agencies: await read(sql`select code, name, parent_code from agencies order by code`),
    units: await read(sql`select id, name, kind, parent_id, agency_code from units order by id`),
    unitRoles: await read(sql`select procedure_id, role, unit_id from procedure_units order by procedure_id, role`),
    staff: await read(sql`select username, roles, unit_id, active, password_hash, must_change_password, totp_enabled_at from staff_accounts order by username`),
    keys: await read(sql`select id, active from signing_keys order by id`),
    procedures: await read(sql`select procedure_id, enabled from procedure_settings order by procedure_id`),
    versions: await read(sql`select procedure_id, version from procedure_versions order by procedure_id, version`),
    calendar: await read(sql`select year, holidays, working_weekends, note from calendar_years order by year`),
    campaigns: await read(sql`select id, name, opens_at, closes_at from admission_campaigns order by id`),
    campaignSchools: await read(sql`select campaign_id, school_unit_id, quota from campaign_schools order by campaign_id, school_unit_id`),
    documentKinds: await read(sql`select key, name, abbreviation, register from document_kinds order by key`),
  };
}

/**
 * What a citizen's cells could store or change, read straight from the database: messages, the citizens' document
 * stores, feedback items and their answers, and whom each dossier concerns. Read receipts (read_at) are left out:
 * reading messages is allowed to mark them read.
 */
export async function citizenDataState(db: AppContext['db']): Promise<Record<string, unknown>> {
  const read = async (query: SQL) => rowsOf<Record<string, unknown>>(await db.execute(query));
  return {
    messages: await read(sql`select id, dossier_id, author_kind, body from dossier_messages order by id`),
    documents: await read(sql`select id, owner_personal_id, kind, title from citizen_documents order by id`),
    feedback: await read(sql`select code, citizen_id, dossier_id, status, answer, published_at from feedback_items order by code`),
    concerned: await read(sql`select code, citizen_id, subject_personal_id, filed_for from dossiers order by code`),
  };
}

/** Payments and refunds (issue 13): what the fee endpoints could make, confirm, cancel or refund. */
export async function paymentState(db: AppContext['db']): Promise<Record<string, unknown>> {
  const read = async (query: SQL) => rowsOf<Record<string, unknown>>(await db.execute(query));
  return {
    payments: await read(sql`select reference, dossier_id, method, status, amount, paid_at, confirmed_via, receipt_number from payments order by reference`),
    refunds: await read(sql`select payment_id, amount, reason from payment_refunds order by id`),
  };
}

/** The admission season (issue 14): scores, assignment runs and their publication, results and cut-offs. */
export async function admissionState(db: AppContext['db']): Promise<Record<string, unknown>> {
  const read = async (query: SQL) => rowsOf<Record<string, unknown>>(await db.execute(query));
  return {
    scores: await read(sql`select campaign_id, pupil_id_number, score, priority_points, extra from admission_scores order by campaign_id, pupil_id_number`),
    runs: await read(sql`select id, campaign_id, status, published_at from admission_runs order by id`),
    results: await read(sql`select run_id, pupil_id_number, school_unit_id, choice_rank, total from admission_results order by run_id, pupil_id_number`),
    cutoffs: await read(sql`select run_id, school_unit_id, quota, admitted, cutoff from admission_cutoffs order by run_id, school_unit_id`),
    roster: await read(sql`select campaign_id, pupil_id_number, full_name, birth_date, status, corrections, confirmed_by from admission_roster order by campaign_id, pupil_id_number`),
  };
}
