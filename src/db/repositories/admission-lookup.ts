// The public admission look-ups (services/admission-lookup): a pupil's result in a campaign's published run, and the
// live demand per school while registration is open. The result read is the hot path of result day: one statement
// prepared once per connection and sent through the raw client (Database.query), no query builder, and it reads the
// primary key (run_id, pupil_id_number) alone; the birth date is compared in the same statement, so a wrong one
// costs no more than a right one and looks the same (no row).
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { rowsOf } from './outbox.js';

export interface PupilResultRow {
  school_unit_id: string | null;
  /** '' without categories. */
  category: string;
  choice_rank: number | null;
  total: number;
}

const PUPIL_RESULT_SQL = `select school_unit_id, category, choice_rank, total from admission_results
  where run_id = $1 and pupil_id_number = $2 and birth_date = $3`;

export async function findPupilResult(
  database: Pick<Database, 'query'>, runId: string, pupilIdNumber: string, birthDate: string,
): Promise<PupilResultRow | undefined> {
  const [row] = await database.query<PupilResultRow>(PUPIL_RESULT_SQL, [runId, pupilIdNumber, birthDate]);
  return row;
}

/** Whether the pupil's enrolment is confirmed in the campaign (admission_enrolments' primary key). */
export async function hasConfirmedEnrolment(database: Pick<Database, 'query'>, campaignId: string, pupilIdNumber: string): Promise<boolean> {
  const rows = await database.query('select 1 from admission_enrolments where campaign_id = $1 and pupil_id_number = $2', [campaignId, pupilIdNumber]);
  return rows.length > 0;
}

/** The campaign's latest published run: a re-run published later replaces the earlier one. */
export async function latestPublishedRun(db: Db, campaignId: string): Promise<{ id: string; publishedAt: Date } | undefined> {
  const [row] = rowsOf<{ id: string; published_at: Date | string }>(await db.execute(sql`
    select id, published_at from admission_runs
    where campaign_id = ${campaignId} and published_at is not null and status = 'done'
    order by published_at desc, started_at desc limit 1`));
  return row ? { id: row.id, publishedAt: new Date(row.published_at) } : undefined;
}

/**
 * Every campaign's latest published run of each round (main, supplementary; one row per campaign and round that has
 * one): the look-up keeps them all in memory, so a request naming a campaign that does not exist, or has published
 * nothing, costs no query at all.
 */
export async function latestPublishedRuns(db: Db): Promise<Array<{ campaignId: string; runId: string; round: 'main' | 'supplementary' }>> {
  const rows = rowsOf<{ campaign_id: string; id: string; round: 'main' | 'supplementary' }>(await db.execute(sql`
    select distinct on (campaign_id, round) campaign_id, round, id from admission_runs
    where published_at is not null and status = 'done'
    order by campaign_id, round, published_at desc, started_at desc`));
  return rows.map((r) => ({ campaignId: r.campaign_id, runId: r.id, round: r.round }));
}

/** The runs' schools (per category: '' without) with their cut-offs (hundredths; null: nobody admitted) and names, for the look-up's answer. */
export async function runSchools(db: Db, runIds: string[]): Promise<Array<{ runId: string; unitId: string; category: string; name: string; cutoff: number | null }>> {
  if (runIds.length === 0) return [];
  const rows = rowsOf<{ run_id: string; unit_id: string; category: string; name: string | null; cutoff: number | null }>(await db.execute(sql`
    select c.run_id, c.school_unit_id as unit_id, c.category, coalesce(a.name, u.name) as name, c.cutoff
    from admission_cutoffs c
    left join units u on u.id = c.school_unit_id
    left join agencies a on a.code = u.agency_code
    where c.run_id in (${sql.join(runIds.map((id) => sql`${id}::uuid`), sql`, `)})`));
  return rows.map((r) => ({ runId: r.run_id, unitId: r.unit_id, category: r.category, name: r.name ?? r.unit_id, cutoff: r.cutoff === null ? null : Number(r.cutoff) }));
}

/**
 * Live registrations (dossiers naming the campaign, not refused as invalid) per school in one grouped pass: how many
 * list the school among `choiceFields` and how many list it first. The same unnest as countRegistrationsBySchool
 * (repositories/admissions.ts), with the choice's rank kept and refused dossiers left out.
 */
export async function countDemandBySchool(
  db: Db, campaignId: string, choiceFields: readonly string[],
): Promise<Map<string, { applicants: number; firstChoice: number }>> {
  if (choiceFields.length === 0) return new Map();
  const choices = sql.join(choiceFields.map((f) => sql`d.form_data ->> ${f}`), sql`, `);
  const rows = rowsOf<{ unit_id: string; applicants: number; first_choice: number }>(await db.execute(sql`
    select c.choice as unit_id, count(*)::int as applicants, (count(*) filter (where c.rank = 1))::int as first_choice
    from dossiers d, unnest(array[${choices}]) with ordinality as c(choice, rank)
    where d.procedure_id = 'admission-registration' and d.form_data ->> 'campaign' = ${campaignId}
      and d.status <> 'refused' and c.choice is not null and c.choice <> ''
    group by c.choice`));
  return new Map(rows.map((r) => [r.unit_id, { applicants: Number(r.applicants), firstChoice: Number(r.first_choice) }]));
}

/** The campaign's schools with quotas and the school's name (its agency's, as on the admission notice). */
export async function campaignSchoolsForDemand(db: Db, campaignId: string): Promise<Array<{ unitId: string; name: string; quota: number }>> {
  const rows = rowsOf<{ unit_id: string; name: string; quota: number }>(await db.execute(sql`
    select s.school_unit_id as unit_id, coalesce(a.name, u.name) as name, s.quota
    from campaign_schools s
    join units u on u.id = s.school_unit_id
    left join agencies a on a.code = u.agency_code
    where s.campaign_id = ${campaignId}
    order by name`));
  return rows.map((r) => ({ unitId: r.unit_id, name: r.name, quota: Number(r.quota) }));
}
