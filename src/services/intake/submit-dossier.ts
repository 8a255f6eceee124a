// Intake: a citizen files a dossier. Validates the form and the documents together (one 422 lists every problem),
// checks the applicant's e-mail and phone have not been used for too many filings lately (contact-limit.ts), then
// takes a code and writes dossier + documents (with their bytes) + history in one statement.
// A citizen signed in with VNeID files for themselves, a child or as a proxy (filing.ts): the vouched fields take the
// state's values whatever was posted, and the dossier records who filed it, for whom, the sign-in's level of assurance
// and a live dossier of the same person and procedure, flagged to the desk as a possible duplicate (never refused).
import { createHash } from 'node:crypto';
import { vnDay } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { AppError } from '../../errors.js';
import { validateFormData } from '../../workflow/form-schema.js';
import { isUniqueViolation } from '../procedures/catalog.js';
import { currentTrackingToken } from '../access.js';
import { checkContactLimits } from './contact-limit.js';
import { contactValue, recordFiling, type ValidFiling } from './record-filing.js';
import { checkUploads, documentUploads, missingDocumentFields, type UploadedFile } from './uploads.js';
import { resolveDocumentRefs } from '../citizens/document-store.js';
import { deriveFields, derivedFieldNames, prefilledFields, PRINCIPAL_KEY, resolveFiling, type CitizenFiler, type FilingRequest, type ResolvedFiling } from './filing.js';

export interface SubmitDossierInput {
  procedureId: string;
  data: unknown;
  files: UploadedFile[];
  idempotencyKey?: string;
  channel?: 'online' | 'desk';
  /** The citizen signed in with VNeID who files it; absent for filings without an account (which stay as they were). */
  filer?: CitizenFiler;
  /** Whom the signed-in filer files for (filedFor, childPersonalId, the principal of a proxy filing). */
  filing?: FilingRequest;
  /** Documents attached from the signed-in filer's e-document store instead of uploaded: { documentKey: citizen_documents.id }. */
  documentRefs?: Record<string, string>;
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
  if (!input.filer && asksForFiling(input.filing)) {
    throw new AppError('UNAUTHENTICATED', 'Nộp hồ sơ cho con hoặc theo ủy quyền cần đăng nhập bằng tài khoản định danh điện tử (VNeID).');
  }
  const filing = input.filer ? await resolveFiling(ctx, definition, input.filer, input.filing ?? {}) : null;
  let posted = input.data ?? {};
  let derived: Record<string, string> = {};
  if (filing && isPlainObject(posted)) {
    // What the state vouches for, and what the system derives, replace whatever the browser sent for those fields.
    derived = await deriveFields(ctx, definition, posted);
    posted = { ...posted, ...prefilledFields(form, filing.values), ...derived };
  }
  const validated = validateFormData(form, posted);
  const files = await checkUploads(definition, input.files, Object.keys(definition.documents));
  const reused = await resolveDocumentRefs(ctx.db, input.filer, definition, input.documentRefs, files.map((f) => f.documentKey));
  const formData = validated.ok ? validated.data : {};
  const problems: Record<string, string> = {
    ...(validated.ok ? {} : validated.fields),
    ...(validated.ok ? missingDocumentFields(definition, formData, [...files, ...reused].map((f) => f.documentKey)) : {}),
    ...filing?.problems,
  };
  if (filing?.requiredDocument && ![...files, ...reused].some((f) => f.documentKey === filing.requiredDocument)) {
    const label = definition.documents[filing.requiredDocument]?.label ?? filing.requiredDocument;
    problems[filing.requiredDocument] = `Nộp thay theo ủy quyền: vui lòng nộp "${label}".`;
  }
  if (filing) {
    // A derived field the filer is never shown (the grade of an unknown campaign): name what they can correct instead.
    for (const name of derivedFieldNames(definition)) {
      if (problems[name] && derived[name] === undefined) {
        delete problems[name];
        problems.campaign ??= 'Kỳ tuyển sinh đã chọn không tồn tại.';
      }
    }
  }
  if (Object.keys(problems).length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', problems);
  }

  const now = new Date();
  // Every filing messages its contact: an e-mail or phone is used for a bounded number of online filings. Checked
  // while recordFiling makes its own checks; its refusal (429) comes first, and nothing is written before it passed.
  const admitted = (input.channel ?? 'online') === 'online'
    ? checkContactLimits(ctx, { email: contactValue(formData, definition.contact.email), phone: contactValue(formData, definition.contact.phone) },
      { email: definition.contact.email, phone: definition.contact.phone }, now)
    : undefined;
  try {
    const recorded = await recordFiling(ctx, {
      admitted,
      procedure,
      formData,
      // The represented person of a proxy filing under a key no form field can have (field names start with a letter).
      extraFormData: filing?.principal ? { [PRINCIPAL_KEY]: filing.principal } : undefined,
      documents: [...documentUploads(files, 'citizen'), ...reused],
      channel: input.channel ?? 'online',
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash,
      now,
      filing: filing && input.filer ? submissionFiling(input.filer, filing) : undefined,
    });
    return view(ctx, { ...recorded, trackingTokenVersion: 1 }, false);
  } catch (error) {
    // Two requests with the same Idempotency-Key raced: the loser answers with the winner's dossier.
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const earlier = await dossiers.findDossierByIdempotencyKey(ctx.db, input.idempotencyKey);
      if (earlier) return replay(ctx, earlier, requestHash);
    }
    throw error;
  }
}

function asksForFiling(filing: FilingRequest | undefined): boolean {
  if (!filing) return false;
  return Boolean(filing.filedFor || filing.childPersonalId || filing.principal?.fullName || filing.principal?.personalId || filing.principal?.email);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function submissionFiling(filer: CitizenFiler, filing: ResolvedFiling): NonNullable<ValidFiling['filing']> {
  return { citizenId: filer.citizen.id, filedFor: filing.filedFor, subjectPersonalId: filing.subjectPersonalId, loa: filer.loa };
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
  if (input.documentRefs && Object.keys(input.documentRefs).length > 0) hash.update('\0refs\0').update(JSON.stringify(input.documentRefs));
  // Only for signed-in filings, so the hash of a filing without an account is what it always was.
  if (input.filer) hash.update('\0citizen\0').update(input.filer.citizen.id).update('\0').update(JSON.stringify(input.filing ?? {}));
  for (const file of input.files) hash.update('\0').update(file.fieldName).update('\0').update(createHash('sha256').update(file.data).digest());
  return hash.digest('hex');
}

