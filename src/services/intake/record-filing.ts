// What every channel does with a filing once its data is valid (this portal, the desk, the national portal): route it
// to its units, run the procedure's database-backed intake checks, flag a live dossier of the same person, then take a
// code and write dossier + documents (with their bytes) + history (+ the national step owed) in intake's one statement.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import { vnDay } from '../../calendar/vn-time.js';
import { dueDate } from '../../calendar/working-days.js';
import { findLiveDossierOfSubject } from '../../db/repositories/dossier-subjects.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { newFileKey } from '../../db/repositories/files.js';
import type { DossierChannel } from '../../db/schema/index.js';
import type { IntakeCheckName } from '../../workflow/registry.js';
import type { PublishedProcedure } from '../procedures/catalog.js';
import { syncsToNationalPortal } from '../national-portal/record-step.js';
import { checkAdmissionIntake, duplicateRegistrationOf, type IntakeFiler } from './admissions.js';
import { isUniqueViolation } from '../procedures/catalog.js';
import { resolveIntake } from './routing.js';
import { storageUnavailable, uploadClaimLost } from '../../storage/index.js';

/** The database-backed intake rules a definition may name (`intakeChecks`); the loader refuses unknown names. */
const INTAKE_CHECKS: Record<IntakeCheckName, (ctx: AppContext, formData: Record<string, unknown>, now: Date) => Promise<void>> = {
  'admission-campaign': checkAdmissionIntake,
};

export interface ValidFiling {
  procedure: PublishedProcedure;
  /** The validated form data. */
  formData: Record<string, unknown>;
  /** Stored after the routing labels, under keys no form field can have (the represented person of a proxy filing). */
  extraFormData?: Record<string, unknown>;
  documents: dossiers.NewSubmission['documents'];
  channel: DossierChannel;
  nationalCode?: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** Who filed it and about whom; a live dossier of the same subject and procedure is looked up here. */
  filing?: Omit<dossiers.SubmissionFiling, 'possibleDuplicateOf'>;
  now: Date;
  /**
   * A check of the caller's that runs while this one's are made (intake's contact limits): awaited before anything is
   * written, and its refusal wins over this one's checks — as if it had run first.
   */
  admitted?: Promise<void>;
}

export interface RecordedFiling { id: string; code: string; status: string; dueAt: Date }

/** A contact field's value as intake stores it: a non-empty string, else null. */
export function contactValue(formData: Record<string, unknown>, name: string | undefined): string | null {
  const value = name ? formData[name] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Throws the intake checks' and routing's errors before anything is written; a unique violation is the caller's. */
export async function recordFiling(ctx: AppContext, f: ValidFiling): Promise<RecordedFiling> {
  const { definition } = f.procedure;
  const { formData, now } = f;
  const filer: IntakeFiler = { citizenId: f.filing?.citizenId ?? null };
  const checked = (async () => {
    // The units playing the procedure's roles (one indexed lookup), then data-backed choices and field-based routing
    // (no further query for procedures with neither: a diploma copy is that lookup and one statement).
    const routing = await resolveIntake(ctx, definition, formData);
    for (const name of definition.intakeChecks) await INTAKE_CHECKS[name as IntakeCheckName](ctx, formData, now);
    const duplicate = f.filing?.subjectPersonalId ? await findLiveDossierOfSubject(ctx.db, f.filing.subjectPersonalId, definition.id) : undefined;
    return { routing, duplicate };
  })();
  // Side by side with the caller's check: each is a round trip that concurrent filings share (db/coalesce.ts), and one
  // after the other they made every filing of a burst wait for two batches instead of one.
  const [checks, admitted] = await Promise.allSettled([checked, f.admitted]);
  if (admitted.status === 'rejected') throw admitted.reason;
  if (checks.status === 'rejected') throw checks.reason;
  const { routing, duplicate } = checks.value;
  const id = randomUUID();
  const day = vnDay(now).slice(2).replaceAll('-', '');
  const due = dueDate(now, definition.sla);
  const documents = await uploadDocuments(ctx, f.documents);
  const { code } = await dossiers.insertSubmission(ctx.database, {
    id,
    // The deciding agency (that of the procedure's `office` unit) heads the code: {agency}-{yyMMdd}-{nnnn}.
    codePrefix: `${routing.agencyCode}-${day}-`,
    agencyCode: routing.agencyCode,
    day,
    procedureId: definition.id,
    procedureVersionId: f.procedure.versionId,
    unitId: routing.unitId,
    status: definition.initial,
    formData: { ...formData, ...routing.labels, ...f.extraFormData },
    applicant: {
      name: contactValue(formData, definition.contact.name) ?? '',
      email: contactValue(formData, definition.contact.email),
      phone: contactValue(formData, definition.contact.phone),
      address: contactValue(formData, definition.contact.address),
      idNumber: contactValue(formData, definition.contact.idNumber),
    },
    channel: f.channel,
    nationalCode: f.nationalCode ?? null,
    feeAmount: definition.fee.amount > 0 ? definition.fee.amount : null,
    // Every dossier of a procedure the national portal knows is reported to it, whatever its channel.
    nationalSync: syncsToNationalPortal(ctx, definition),
    idempotencyKey: f.idempotencyKey,
    requestHash: f.requestHash,
    submittedAt: now,
    dueAt: due.dueAt,
    documents,
    filing: f.filing ? { ...f.filing, possibleDuplicateOf: duplicate?.id ?? null } : undefined,
  }).catch(async (error: unknown) => {
    // A pupil already registered in the campaign (one live registration each): the unique index refuses the second —
    // unless this is the loser of a race of one request sent twice (same Idempotency-Key), which the caller answers
    // with the winner's dossier. (With object storage the refused filing's uploads are left to the orphan sweep.)
    if (isUniqueViolation(error) && constraintOf(error) === LIVE_REGISTRATION_INDEX
      && !(f.idempotencyKey && await dossiers.findDossierByIdempotencyKey(ctx.db, f.idempotencyKey))) {
      throw await duplicateRegistrationOf(ctx.db, formData, filer);
    }
    // The orphan sweep took an upload before this statement claimed it: nothing was committed; filing again uploads anew.
    if (uploadClaimLost(error)) {
      ctx.log.error({ err: error }, 'intake lost its object-storage upload to the orphan sweep: nothing committed');
      throw storageUnavailable();
    }
    throw error;
  });
  return { id, code, status: definition.initial, dueAt: due.dueAt };
}

/**
 * With object storage (STORAGE_DRIVER=s3) the uploads' bytes go there first, durably, and intake's statement writes
 * only their metadata; with PostgreSQL they stay in the statement (one round trip, as before).
 */
async function uploadDocuments(ctx: AppContext, documents: ValidFiling['documents']): Promise<ValidFiling['documents']> {
  if (ctx.files.driver === 'postgres' || !documents.some((d) => 'data' in d)) return documents;
  const uploads = documents.flatMap((d) => ('data' in d ? [{ key: newFileKey('uploads'), data: d.data }] : []));
  const records = await ctx.files.put(ctx.db, uploads);
  let next = 0;
  return documents.map((d) => {
    if (!('data' in d)) return d;
    const { data: _, ...metadata } = d;
    return { ...metadata, file: records[next++]! };
  });
}

/** The unique index that keeps one live admission registration per pupil per campaign (migration 0016). */
const LIVE_REGISTRATION_INDEX = 'dossiers_live_registration_uq';

/** The violated constraint's name: `constraint_name` from postgres.js, `constraint` from PGlite (the embedded default). */
function constraintOf(error: unknown): string | undefined {
  type Named = { constraint_name?: string; constraint?: string };
  const e = error as (Named & { cause?: Named }) | null;
  return e?.constraint_name ?? e?.constraint ?? e?.cause?.constraint_name ?? e?.cause?.constraint;
}
