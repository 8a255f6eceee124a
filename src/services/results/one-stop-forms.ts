// The one-stop forms of a dossier: issuing them (jobs/issue-form.ts, from the event whose transition carries the
// form's effect), listing them on the dossier, and serving their PDFs with the same access as the dossier itself.
// Kinds, ordinals and why the control slip is rendered on demand: see documents/forms.ts.
//
// Each form is a document of the agency whose unit issues it: numbered in that agency's register ("12/TNHS-SGDĐT",
// subject "form:<stored kind>") and signed with the seal of the agency's sealing unit (the Department's board, a
// school's office) as a PAdES signature. The number is given in a short transaction before the form is drawn, not in
// the one that stores it: the register's counter row is locked while a transaction holds it, and drawing, signing and
// a timestamp authority's answer would keep every other document of the agency waiting that long. A retried job
// reuses the reserved number (numberDocument), and the line becomes issued with the stored form. An agency without a
// seal key on the server still issues its forms, unsigned, with a warning in the log: a form never holds a dossier up.
import { createHash } from 'node:crypto';
import { vnDay, vnMinuteOfDay } from '../../calendar/vn-time.js';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { newFileKey } from '../../db/repositories/files.js';
import { findEventByVersion, listHandovers } from '../../db/repositories/forms.js';
import { findIssuedDocument, insertIssuedDocument } from '../../db/repositories/issued-documents.js';
import { findAgency, findStaffById, findUnit, type AgencyRow } from '../../db/repositories/staff.js';
import { formatDateVN } from '../../documents/format.js';
import {
  FORM_SPECS, formLabel, parseStoredKind, renderFormPdf, storedKind, type FormDocumentInput, type FormKind, type StoredFormKind,
} from '../../documents/forms.js';
import { findSealUnitOfAgency } from '../../db/repositories/signing.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { signPdf } from '../../signing/sign-pdf.js';
import { SEAL_UNIT_KINDS } from '../keys/manage-keys.js';
import type { SigningMode } from '../keys/signer-keys.js';
import { markDocumentIssued, numberDocument, type DocumentNumber } from '../numbering/document-numbers.js';
import { timestampOption } from './render-and-sign.js';
import { stateLabel } from '../../workflow/engine.js';
import { missingRequiredDocuments } from '../../workflow/registry.js';
import type { WorkflowDefinition } from '../../workflow/types.js';
import { loadDossierFor, type Caller } from '../access.js';
import { commentForCitizen, handoverResultForCitizen } from '../history-events.js';
import { CHANNEL_LABELS, CHANNEL_PORTALS } from '../viewing/channels.js';

/** The public tracking page for a dossier (the portal's /tra-cuu page; the QR code on every form points here). */
export function trackingUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/tra-cuu?ma=${encodeURIComponent(code)}`;
}

/** "14 giờ 05 phút, ngày 03/02/2026" in Vietnam time, as the forms print times. */
export function formatTimeVN(at: Date): string {
  const minutes = Math.floor(vnMinuteOfDay(at));
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${hh} giờ ${mm} phút, ngày ${formatDateVN(vnDay(at))}`;
}

/** "14:05 03/02/2026": the control slip's column format (DOMAIN.md: hh:mm dd/mm/yyyy). */
export function formatShortTimeVN(at: Date): string {
  const minutes = Math.floor(vnMinuteOfDay(at));
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')} ${formatDateVN(vnDay(at))}`;
}

type EventRow = dossiers.DossierEventRow;

function transitionOf(definition: WorkflowDefinition, event: Pick<EventRow, 'fromStatus' | 'action'>) {
  return event.fromStatus ? definition.states[event.fromStatus]?.on[event.action] : undefined;
}

/** Whether this history event issues `kind`: its transition carries the form's effect (the apology is the clock action `apologise`). */
function issuesForm(definition: WorkflowDefinition, event: EventRow, kind: StoredFormKind): boolean {
  if (kind === 'apology' && event.action === 'apologise') return true;
  return (transitionOf(definition, event)?.effects ?? []).includes(FORM_SPECS[kind].effect!);
}

// ---------------------------------------------------------------------------------------------------------------
// Issuing (jobs)

/**
 * Issues `kind` for the event that produced dossier version `dossierVersion`. Idempotent: the ordinal comes from the
 * append-only history, so a second run finds the same stored kind and does nothing.
 */
export async function issueForm(ctx: AppContext, kind: StoredFormKind, dossierId: string, dossierVersion: number | undefined): Promise<void> {
  const dossier = await dossiers.findDossierById(ctx.db, dossierId);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', `dossier ${dossierId} is gone`);
  const [definition, events] = await Promise.all([ctx.catalog.definitionFor(dossier.procedureVersionId), dossiers.listEvents(ctx.db, dossierId)]);
  const issuing = events.filter((e) => issuesForm(definition, e, kind));
  // Without a version (a writer that does not name its event), the latest event that issues this form.
  const event = dossierVersion === undefined ? issuing.at(-1) : await findEventByVersion(ctx.db, dossierId, dossierVersion);
  if (!event) throw new AppError('INTERNAL_ERROR', `no ${kind} event for ${dossier.code} v${dossierVersion ?? '?'}`);
  const ordinal = Math.max(1, issuing.filter((e) => e.id <= event.id).length);
  const stored = storedKind(kind, ordinal);
  if (await findIssuedDocument(ctx.db, dossier.id, stored)) return;

  const { input, agency, officerTitle } = await formInput(ctx, kind, ordinal, dossier, definition, event, events);
  const subject = formSubject(stored);
  const number = await ctx.db.transaction((tx) => numberForm(tx, agency, kind, dossier, subject, event.at));
  const pdf = await sealForm(ctx, await renderFormPdf({ ...input, documentNumber: number.text }), agency, `${formLabel(stored)} ${number.text}`);
  const storageKey = newFileKey('issued');
  const storedFile = await ctx.files.put(ctx.db, [{ key: storageKey, data: pdf }]);
  await ctx.db.transaction(async (tx) => {
    const row = await insertIssuedDocument(tx, {
      dossierId: dossier.id, kind: stored, storageKey, sha256: createHash('sha256').update(pdf).digest('hex'), sizeBytes: pdf.length,
    });
    // A concurrent run won the unique index: keep its document, store no orphan bytes (an object already uploaded
    // stays unclaimed, and the orphan sweep deletes it).
    if (row.storageKey !== storageKey) return;
    await ctx.files.record(tx, storedFile);
    await markDocumentIssued(tx, {
      dossierId: dossier.id, subject, issuedAt: event.at, renderedAt: event.at, signerName: input.signerName, signerTitle: officerTitle,
      recipients: [dossier.applicantName],
    });
  });
}

/** The register subject of a form: "form:receipt", "form:supplement-request-2", "form:control-slip". */
export function formSubject(stored: string): string {
  return `form:${stored}`;
}

/** The form's number in the issuing agency's register (the form kind is its document kind), given once per form. */
function numberForm(tx: Db, agency: AgencyRow, kind: FormKind, dossier: dossiers.DossierRow, subject: string, at: Date): Promise<DocumentNumber> {
  return numberDocument(tx, {
    agencyCode: agency.code, agencyAbbreviation: agency.abbreviation, kind, dossierId: dossier.id, subject,
    summary: `${FORM_SPECS[kind].label}: ${dossier.applicantName} (${dossier.code})`, at,
  });
}

/**
 * The form signed with the seal of the issuing agency (PAdES, timestamped when a TSA is configured), or as it is when
 * the agency has no usable seal key on the server (none, one held on a device, or one out of date): logged, never
 * refused — the administration's keys page lists the sealing units without a key. Also seals the fee receipts
 * (services/payments/payment-receipt.ts), which the agency issues the same way.
 */
export async function sealForm(ctx: AppContext, pdf: Buffer, agency: AgencyRow, what: string): Promise<Buffer> {
  const unit = await findSealUnitOfAgency(ctx.db, agency.code, SEAL_UNIT_KINDS);
  let mode: SigningMode | null = null;
  let problem: string | undefined;
  if (unit) {
    try {
      mode = await ctx.signerKeys.usableModeFor({ unitId: unit.id });
    } catch (error) {
      problem = error instanceof AppError ? error.code : String(error);
    }
  }
  if (!unit || !mode || mode.kind !== 'server') {
    ctx.log.warn({ agency: agency.code, unit: unit?.id ?? null, mode: mode?.kind ?? null, problem, form: what },
      'one-stop form issued unsigned: the issuing agency has no seal key on the server');
    return pdf;
  }
  return signPdf(pdf, {
    key: mode.signer.key, certificatePem: mode.signer.certificatePem, chainPem: mode.signer.chainPem,
    name: agency.name, reason: `${agency.name} phát hành ${what}`, location: agency.place, signingTime: new Date(),
    ...timestampOption(ctx),
  });
}

async function formInput(
  ctx: AppContext, kind: FormKind, ordinal: number, dossier: dossiers.DossierRow, definition: WorkflowDefinition,
  event: EventRow, events: EventRow[],
) {
  const [dossierUnit, officer, documents] = await Promise.all([
    findUnit(ctx.db, dossier.unitId),
    event.actorKind === 'staff' && event.actorId ? findStaffById(ctx.db, event.actorId) : undefined,
    dossiers.listDocuments(ctx.db, dossier.id),
  ]);
  const officerUnit = officer ? await findUnit(ctx.db, officer.unitId) : undefined;
  const issuingUnit = officerUnit ?? dossierUnit;
  // The agency of the unit that issues the form heads it, numbers it and seals it (a school receiving a transfer).
  const agency = await findAgency(ctx.db, issuingUnit?.agencyCode ?? dossier.agencyCode);
  if (!agency) throw new AppError('INTERNAL_ERROR', `no agency for the form of ${dossier.code}`);
  const context = baseContext(definition, dossier, documents, agency.name, issuingUnit?.name ?? '');
  Object.assign(context, {
    officerName: event.actorName,
    officerTitle: officer?.title ?? '',
    reason: event.comment ?? '',
    eventTime: formatTimeVN(event.at),
    ordinal,
    repeat: ordinal > 1 ? ordinal : '',
  });
  if (kind === 'supplement-request') {
    const asked = Array.isArray(event.data?.documents) ? (event.data.documents as unknown[]).map(String) : [];
    const keys = asked.length > 0 ? asked : missingRequiredDocuments(definition, dossier.formData, documents.map((d) => d.documentKey));
    context.supplementDocuments = keys.map((k) => definition.documents[k]?.label ?? k);
    context.previousStatus = event.fromStatus ? stateLabel(definition, event.fromStatus) : '';
  }
  if (kind === 'apology') {
    // services/sla.ts `apologise` records { newDate: yyyy-mm-dd, previousDueAt: ISO } on the event.
    const requested = typeof event.data?.newDate === 'string' ? event.data.newDate : undefined;
    const newDue = requested ?? (dossier.apologyDueAt ? vnDay(dossier.apologyDueAt) : undefined);
    context.newDueDate = newDue ? formatDateVN(newDue) : '';
    const previous = typeof event.data?.previousDueAt === 'string' ? new Date(event.data.previousDueAt) : dossier.dueAt;
    context.previousDueDate = previous && !Number.isNaN(previous.getTime()) ? formatDateVN(vnDay(previous)) : '';
  }
  if (kind === 'receipt') {
    context.receivedTime = formatTimeVN(event.at);
    context.receiptCount = events.filter((e) => e.id <= event.id && transitionOf(definition, e)?.effects.includes('issue-receipt')).length;
  }
  const input: Omit<FormDocumentInput, 'documentNumber'> = {
    kind, ordinal, templatesDir: ctx.config.templatesDir, dossierCode: dossier.code,
    trackingUrl: trackingUrl(ctx.config.publicUrl, dossier.code),
    issuer: { parentName: agency.name, agencyName: issuingUnit?.name ?? '' },
    place: agency.place, issuedAt: event.at, signerName: event.actorName, context,
  };
  return { input, agency, officerTitle: officer?.title ?? FORM_SPECS[kind].signerTitle };
}

function baseContext(
  definition: WorkflowDefinition, dossier: dossiers.DossierRow, documents: dossiers.DossierDocumentRow[], agencyName: string, unitName: string,
): Record<string, unknown> {
  const byKey = new Map<string, number>();
  for (const d of documents) byKey.set(d.documentKey, (byKey.get(d.documentKey) ?? 0) + 1);
  return {
    dossierCode: dossier.code,
    procedureTitle: definition.title,
    agencyName,
    unitName,
    // Filed on a portal (ours or the national one): "Trực tuyến (<portal>)", and the result may be received there too.
    channelLabel: CHANNEL_PORTALS[dossier.channel] ? `Trực tuyến (${CHANNEL_PORTALS[dossier.channel]})` : CHANNEL_LABELS[dossier.channel],
    online: CHANNEL_PORTALS[dossier.channel] !== null,
    onlinePortal: CHANNEL_PORTALS[dossier.channel],
    applicant: {
      name: dossier.applicantName, address: dossier.applicantAddress ?? '', phone: dossier.applicantPhone ?? '',
      email: dossier.applicantEmail ?? '', idNumber: dossier.applicantIdNumber ?? '',
    },
    documents: [...byKey].map(([key, files], i) => ({ n: i + 1, label: definition.documents[key]?.label ?? key, files })),
    sets: 1,
    slaDays: definition.sla.workingDays,
    submittedTime: formatTimeVN(dossier.submittedAt),
    dueDate: dossier.dueAt ? formatDateVN(vnDay(dossier.dueAt)) : '',
    dueTime: dossier.dueAt ? formatTimeVN(dossier.dueAt) : '',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Control slip (rendered on demand from the hand-overs)

interface SlipEntry { n: number; time: string; from: string; to: string; result: string; by: string }

/** `forCitizen`: the slip a citizen downloads carries only the comments written for them (history-events.ts). */
async function controlSlipEntries(ctx: AppContext, dossier: dossiers.DossierRow, definition: WorkflowDefinition, events: EventRow[], forCitizen: boolean) {
  const handovers = await listHandovers(ctx.db, dossier.id);
  if (handovers.length > 0) {
    return handovers.map((h, i): SlipEntry & { at: Date } => ({
      n: i + 1, at: h.at, time: formatShortTimeVN(h.at), from: h.fromUnit ?? 'Cổng dịch vụ công', to: h.toUnit,
      result: forCitizen ? handoverResultForCitizen(definition, events, h) : h.result, by: h.byName,
    }));
  }
  // No hand-over recorded (a procedure that stays in one unit, or a dossier filed before routing existed): each staff
  // step of the history passes the dossier from the acting officer's unit to the next step — the citizen when it
  // waits for them or is closed, the handling unit otherwise.
  const unit = await findUnit(ctx.db, dossier.unitId);
  const unitNames = new Map<string, string>();
  const unitOfStaff = async (staffId: string | null): Promise<string | undefined> => {
    if (!staffId) return undefined;
    if (!unitNames.has(staffId)) {
      const staff = await findStaffById(ctx.db, staffId);
      unitNames.set(staffId, (staff ? (await findUnit(ctx.db, staff.unitId))?.name : undefined) ?? '');
    }
    return unitNames.get(staffId) || undefined;
  };
  const steps = events.filter((e) => e.actorKind !== 'citizen' && e.fromStatus);
  const entries: Array<SlipEntry & { at: Date }> = [];
  for (const [i, e] of steps.entries()) {
    const target = definition.states[e.toStatus];
    const toCitizen = target?.final || Object.values(target?.on ?? {}).some((t) => t.roles.includes('citizen'));
    entries.push({
      n: i + 1, at: e.at, time: formatShortTimeVN(e.at),
      from: (await unitOfStaff(e.actorId)) ?? (e.actorKind === 'system' ? 'Hệ thống' : unit?.name ?? ''),
      to: toCitizen ? `Công dân (${dossier.applicantName})` : unit?.name ?? '',
      result: [transitionOf(definition, e)?.label ?? e.action, forCitizen ? commentForCitizen(definition, e) : e.comment].filter(Boolean).join(': '),
      by: e.actorName,
    });
  }
  return entries;
}

async function controlSlipPdf(ctx: AppContext, dossier: dossiers.DossierRow, forCitizen: boolean): Promise<Buffer | undefined> {
  const [definition, events, agency, unit] = await Promise.all([
    ctx.catalog.definitionFor(dossier.procedureVersionId), dossiers.listEvents(ctx.db, dossier.id),
    findAgency(ctx.db, dossier.agencyCode), findUnit(ctx.db, dossier.unitId),
  ]);
  const entries = await controlSlipEntries(ctx, dossier, definition, events, forCitizen);
  if (entries.length === 0) return undefined;
  const documents = await dossiers.listDocuments(ctx.db, dossier.id);
  const context = baseContext(definition, dossier, documents, agency?.name ?? '', unit?.name ?? '');
  context.entries = entries;
  context.statusLabel = stateLabel(definition, dossier.status);
  const receiving = events.find((e) => e.actorKind === 'staff' && transitionOf(definition, e)?.effects.includes('start-clock'));
  if (!agency) throw new AppError('INTERNAL_ERROR', `no agency for the control slip of ${dossier.code}`);
  // Numbered once, when first asked for, in the register of the agency that received the dossier, and dated by the
  // slip's first entry (its year picks the register); issued from then on, every later rendering reprints that number.
  const subject = formSubject('control-slip');
  const opened = entries[0]!.at;
  const number = await ctx.db.transaction(async (tx) => {
    const given = await numberForm(tx, agency, 'control-slip', dossier, subject, opened);
    await markDocumentIssued(tx, {
      dossierId: dossier.id, subject, issuedAt: opened, renderedAt: opened, signerName: receiving?.actorName ?? null, recipients: [dossier.applicantName],
    });
    return given;
  });
  const pdf = await renderFormPdf({
    kind: 'control-slip', ordinal: 1, documentNumber: number.text, templatesDir: ctx.config.templatesDir, dossierCode: dossier.code,
    trackingUrl: trackingUrl(ctx.config.publicUrl, dossier.code),
    issuer: { parentName: agency.name, agencyName: unit?.name ?? '' }, place: agency.place,
    // Dated by the last entry: the same history always gives the same slip.
    issuedAt: entries.at(-1)!.at, signerName: receiving?.actorName ?? '', context,
  });
  return sealForm(ctx, pdf, agency, `${FORM_SPECS['control-slip'].label} ${number.text}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Listing and serving

export interface FormListing { kind: string; label: string; url: string; issuedAt: string }

/**
 * The forms issued for a dossier (plus its control slip once it has entries), for GET /api/dossiers/:code, from what
 * the view loaded in its one statement (repositories/dossier-view.ts): the issued documents (the result among them is
 * skipped), the first handover and the history.
 */
export function formsOf(
  dossier: Pick<dossiers.DossierRow, 'code'>, issued: ReadonlyArray<{ kind: string; createdAt: Date }>, firstHandoverAt: Date | undefined,
  events: ReadonlyArray<Pick<dossiers.DossierEventRow, 'actorKind' | 'fromStatus' | 'at'>>,
): FormListing[] {
  const base = `/api/dossiers/${encodeURIComponent(dossier.code)}/forms`;
  const forms = issued
    .filter((row) => row.kind !== 'result' && parseStoredKind(row.kind) !== undefined)
    .map((row) => ({ kind: row.kind, label: formLabel(row.kind), url: `${base}/${row.kind}`, issuedAt: row.createdAt.toISOString() }));
  // The control slip opens with its first entry: the first handover, else the first step staff took.
  const slipAt = firstHandoverAt ?? events.find((e) => e.actorKind !== 'citizen' && e.fromStatus)?.at;
  if (slipAt) forms.push({ kind: 'control-slip', label: FORM_SPECS['control-slip'].label, url: `${base}/control-slip`, issuedAt: slipAt.toISOString() });
  return forms;
}

/** GET /api/dossiers/:code/forms/:kind — 404 for a kind that does not apply or is not issued yet. */
export async function formPdf(ctx: AppContext, code: string, kind: string, caller: Caller): Promise<{ fileName: string; data: Buffer }> {
  const { dossier, actor } = await loadDossierFor(ctx, code, caller);
  const notFound = () => new AppError('FORM_NOT_FOUND', 'Hồ sơ chưa có phiếu/giấy này.');
  const parsed = parseStoredKind(kind);
  if (!parsed) throw notFound();
  const fileName = `${dossier.code}-${kind}.pdf`;
  if (parsed.kind === 'control-slip') {
    if (parsed.ordinal !== 1) throw notFound();
    const data = await controlSlipPdf(ctx, dossier, actor.kind === 'citizen');
    if (!data) throw notFound();
    return { fileName, data };
  }
  const issued = await findIssuedDocument(ctx.db, dossier.id, kind);
  if (!issued) throw notFound();
  return { fileName, data: await ctx.files.read(ctx.db, issued.storageKey) };
}
