// Intake: a citizen files a dossier. Validates the form and the documents together (one 422 lists every problem),
// checks the applicant's e-mail and phone have not been used for too many filings lately (contact-limit.ts), then
// takes a code and writes dossier + documents (with their bytes) + history in one statement.
import { createHash, randomUUID } from 'node:crypto';
import { vnDay } from '../../calendar/vn-time.js';
import { dueDate } from '../../calendar/working-days.js';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { AppError } from '../../errors.js';
import { validateFormData } from '../../workflow/form-schema.js';
import { isUniqueViolation } from '../procedures/catalog.js';
import { currentTrackingToken } from '../access.js';
import type { IntakeCheckName } from '../../workflow/registry.js';
import { checkAdmissionIntake } from './admissions.js';
import { checkContactLimits } from './contact-limit.js';
import { resolveIntake } from './routing.js';
import { checkUploads, documentUploads, missingDocumentFields, type UploadedFile } from './uploads.js';

export interface SubmitDossierInput {
  procedureId: string;
  data: unknown;
  files: UploadedFile[];
  idempotencyKey?: string;
  channel?: 'online' | 'desk';
}

export interface SubmittedDossier {
  code: string;
  status: string;
  dueDate: string;
  dueAt: string;
  trackingToken: string;
  links: { self: string; result: string };
  /** True when an Idempotency-Key replay returned an earlier submission (replays are not counted by the limits). */
  replayed: boolean;
}

/** The database-backed intake rules a definition may name (`intakeChecks`); the loader refuses unknown names. */
const INTAKE_CHECKS: Record<IntakeCheckName, (ctx: AppContext, formData: Record<string, unknown>, now: Date) => Promise<void>> = {
  'admission-campaign': checkAdmissionIntake,
};

export async function submitDossier(ctx: AppContext, input: SubmitDossierInput): Promise<SubmittedDossier> {
  // A replay first: a retried filing that succeeded gets its dossier back even if the procedure was switched off since.
  const requestHash = input.idempotencyKey ? hashRequest(input) : null;
  if (input.idempotencyKey) {
    const earlier = await dossiers.findDossierByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (earlier) return replay(ctx, earlier, requestHash);
  }
  // Unknown: 404; switched off by an administrator: 422 PROCEDURE_DISABLED (its dossiers already filed go on).
  const procedure = ctx.catalog.findForIntake(input.procedureId);
  const { definition } = procedure;

  const form = definition.forms[definition.intakeForm]!;
  const validated = validateFormData(form, input.data ?? {});
  const files = await checkUploads(definition, input.files, Object.keys(definition.documents));
  const formData = validated.ok ? validated.data : {};
  const problems = {
    ...(validated.ok ? {} : validated.fields),
    ...(validated.ok ? missingDocumentFields(definition, formData, files.map((f) => f.documentKey)) : {}),
  };
  if (Object.keys(problems).length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  }

  const now = new Date();
  const contact = (name: string | undefined) => (name ? stringOrNull(formData[name]) : null);
  // Every filing messages its contact: an e-mail or phone is used for a bounded number of online filings.
  if ((input.channel ?? 'online') === 'online') {
    await checkContactLimits(ctx, { email: contact(definition.contact.email), phone: contact(definition.contact.phone) },
      { email: definition.contact.email, phone: definition.contact.phone }, now);
  }
  // The units playing the procedure's roles (one indexed lookup), then data-backed choices and field-based routing
  // (no further query for procedures with neither: a diploma copy is that lookup and one statement).
  const routing = await resolveIntake(ctx, definition, formData);
  for (const name of definition.intakeChecks) await INTAKE_CHECKS[name as IntakeCheckName](ctx, formData, now);
  const dossierId = randomUUID();
  const day = vnDay(now).slice(2).replaceAll('-', '');
  const due = dueDate(now, definition.sla);
  try {
    const { code } = await dossiers.insertSubmission(ctx.database, {
      id: dossierId,
      // The deciding agency (that of the procedure's `office` unit) heads the code: {agency}-{yyMMdd}-{nnnn}.
      codePrefix: `${routing.agencyCode}-${day}-`,
      agencyCode: routing.agencyCode,
      day,
      procedureId: definition.id,
      procedureVersionId: procedure.versionId,
      unitId: routing.unitId,
      status: definition.initial,
      formData: { ...formData, ...routing.labels },
      applicant: {
        name: contact(definition.contact.name) ?? '',
        email: contact(definition.contact.email),
        phone: contact(definition.contact.phone),
        address: contact(definition.contact.address),
        idNumber: contact(definition.contact.idNumber),
      },
      channel: input.channel ?? 'online',
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash,
      submittedAt: now,
      dueAt: due.dueAt,
      documents: documentUploads(files, 'citizen'),
    });
    return view(ctx, { id: dossierId, code, status: definition.initial, dueAt: due.dueAt, trackingTokenVersion: 1 }, false);
  } catch (error) {
    // Two requests with the same Idempotency-Key raced: the loser answers with the winner's dossier.
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const earlier = await dossiers.findDossierByIdempotencyKey(ctx.db, input.idempotencyKey);
      if (earlier) return replay(ctx, earlier, requestHash);
    }
    throw error;
  }
}

function replay(ctx: AppContext, earlier: dossiers.DossierRow, requestHash: string | null): SubmittedDossier {
  if (earlier.requestHash !== requestHash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key đã được dùng cho một yêu cầu khác.');
  }
  return view(ctx, earlier, true);
}

function view(ctx: AppContext, dossier: Pick<dossiers.DossierRow, 'id' | 'code' | 'status' | 'dueAt' | 'trackingTokenVersion'>, replayed: boolean): SubmittedDossier {
  const base = `${ctx.config.publicUrl}/api/dossiers/${encodeURIComponent(dossier.code)}`;
  return {
    code: dossier.code,
    status: dossier.status,
    dueDate: dossier.dueAt ? vnDay(dossier.dueAt) : '',
    dueAt: dossier.dueAt?.toISOString() ?? '',
    // A replay hands back the current token (a changed one included): whoever replays holds the whole request.
    trackingToken: currentTrackingToken(ctx.secret, dossier),
    links: { self: base, result: `${base}/result` },
    replayed,
  };
}

/** Same procedure, form data and file contents → same hash; any difference means a different request. */
function hashRequest(input: SubmitDossierInput): string {
  const hash = createHash('sha256').update(input.procedureId).update('\0').update(JSON.stringify(input.data ?? null));
  for (const file of input.files) hash.update('\0').update(file.fieldName).update('\0').update(createHash('sha256').update(file.data).digest());
  return hash.digest('hex');
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

