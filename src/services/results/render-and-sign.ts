// The result document's making, shared by every way of issuing it (the issue-result job, PIN and batch signing,
// external signing, the unsigned preview): render it with the signers' stamps, apply `result.signers` in order
// (the leader's signature, then the organisation's seal, each a PAdES incremental update), and store it.
import { createHash } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { findDocumentKind } from '../../db/repositories/document-register.js';
import { newFileKey } from '../../db/repositories/files.js';
import { insertIssuedDocument } from '../../db/repositories/issued-documents.js';
import { deleteDraft } from '../../db/repositories/signing.js';
import { findAgencyOfUnit, findStaffById, findUnit, type AgencyRow, type StaffRow, type UnitRow } from '../../db/repositories/staff.js';
import type { DocumentRegister } from '../../db/schema/index.js';
import { renderResultPdf } from '../../documents/render-result.js';
import { AppError } from '../../errors.js';
import { timeSigning } from '../../metrics/process.js';
import { signPdf, type SignPdfOptions, type Timestamper } from '../../signing/sign-pdf.js';
import { rfc3161Timestamper } from '../../signing/tsa.js';
import { DEFAULT_RECIPIENTS, DEFAULT_RESULT_KIND, type ResultDocumentKind, type ResultSigner, type WorkflowDefinition } from '../../workflow/types.js';
import { markDocumentIssued, numberDocument } from '../numbering/document-numbers.js';
import { verificationUrl } from '../access.js';
import { storeIssuedResult } from '../citizens/document-store.js';
import { assertMaySignResult, sealUnit, signerBlockTitle } from './signing-authority.js';
import { addValidationData } from './long-term-validation.js';
import { signatureAppearance } from './signature-appearance.js';
import type { Signer } from '../keys/signer-keys.js';
import type { AuditActor } from '../audit/audit.js';

/**
 * Renders the result with an empty signature field for each signer in the definition, timed `issuedAt`: the server
 * path signs right after; the PIN and external paths render again when the official actually signs. The number comes
 * from the issuing agency's register (numbering/document-numbers.ts), given in a short transaction of its own on the
 * first render — the counter's row stays locked only that long, not while the PDF is drawn and signed — and reused by
 * every later render of the same result; storeResult marks it issued.
 */
export async function renderResult(ctx: AppContext, dossier: dossiers.DossierRow, definition: WorkflowDefinition, signerStaffId: string, issuedAt: Date): Promise<Buffer> {
  const [signer, agency, events, unit] = await Promise.all([
    findStaffById(ctx.db, signerStaffId),
    issuingAgency(ctx, dossier),
    dossiers.listEvents(ctx.db, dossier.id),
    findUnit(ctx.db, dossier.unitId),
  ]);
  if (!signer || !agency) throw new AppError('INTERNAL_ERROR', 'signer or agency missing');
  const number = await ctx.db.transaction((tx) => numberDocument(tx, {
    agencyCode: agency.code, agencyAbbreviation: agency.abbreviation, kind: resultKind(definition), dossierId: dossier.id,
    subject: RESULT_SUBJECT, summary: `${definition.result.title}: ${dossier.applicantName}`, at: issuedAt,
  }));
  return renderResultPdf({
    // The stamps themselves are each signature's appearance, made when it is applied (signature-appearance.ts).
    signatureFields: definition.result.signers.length,
    template: definition.result.template,
    templatesDir: ctx.config.templatesDir,
    title: definition.result.title,
    dossierCode: dossier.code,
    documentNumber: number.text,
    // A copy from the master register prints its number where the template says "Số vào sổ cấp bản sao".
    numberPlacement: numberPlacement(number.register),
    // The QR's link carries the verification key: the page says nothing about a dossier without it.
    verifyUrl: verificationUrl(ctx.secret, dossier, ctx.config.publicUrl),
    issuer: { parentName: agency.parentName, agencyName: agency.name },
    place: agency.place,
    issuedAt,
    signer: { name: signer.fullName, title: signerBlockTitle(signer) },
    recipients: resultRecipients(definition, dossier, unit),
    context: resultContext(definition, dossier, events),
  });
}

/** The register subject of a dossier's result (numbering/document-numbers.ts). */
export const RESULT_SUBJECT = 'result';

/** The result's document kind; versions stored before results were numbered have none. */
export function resultKind(definition: WorkflowDefinition): ResultDocumentKind {
  return definition.result.documentKind ?? DEFAULT_RESULT_KIND;
}

/**
 * The number line of an unsigned preview: the symbol the result will have, no number (a number is given only to
 * what is rendered for signing): "…/QĐ-SGDĐT (dự thảo)".
 */
export async function draftNumber(ctx: AppContext, definition: WorkflowDefinition, agency: AgencyRow): Promise<{ text: string; placement: 'header' | 'body' }> {
  const kind = await findDocumentKind(ctx.db, resultKind(definition));
  const symbol = [kind?.abbreviation, agency.abbreviation].filter(Boolean).join('-');
  return { text: `…/${symbol} (dự thảo)`, placement: numberPlacement(kind?.register ?? 'outgoing') };
}

/** Where the number is printed: the header's "Số: …" line, or the body (register of copies issued). */
export function numberPlacement(register: DocumentRegister): 'header' | 'body' {
  return register === 'copies' ? 'body' : 'header';
}

/**
 * The "Nơi nhận" lines of the definition (or the applicant and "Lưu: VT"), placeholders filled: `{applicant}` the
 * applicant's name, `{office}` the drafting unit (the one holding the dossier) by its abbreviation, else its name. A
 * line left ending in a separator by an empty value loses it ("Lưu: VT, " → "Lưu: VT").
 */
export function resultRecipients(
  definition: WorkflowDefinition, dossier: Pick<dossiers.DossierRow, 'applicantName'>, unit: Pick<UnitRow, 'name' | 'abbreviation'> | undefined,
): string[] {
  const values: Record<string, string> = { applicant: dossier.applicantName, office: unit?.abbreviation ?? unit?.name ?? '' };
  return (definition.result.recipients ?? DEFAULT_RECIPIENTS)
    .map((line) => line.replace(/\{([a-z]+)\}/g, (_, name: string) => values[name] ?? '').replace(/[\s,;]+$/u, '').trim())
    .filter((line) => line.length > 0);
}

export interface SignersInput {
  /** The time the stamps show: each signature's /M. */
  signedAt?: Date;
  dossier: dossiers.DossierRow;
  definition: WorkflowDefinition;
  /** The document so far: `from` signers are already on it. */
  pdf: Buffer;
  from: number;
  leaderStaffId: string;
  /** Unlocks a PIN-locked key of the leader (batch signing, or signing one result with a PIN). */
  pin?: string;
  /** Who typed the PIN and from where, for the audit of a wrong one. */
  pinActor?: AuditActor;
}

export interface SignersOutcome {
  pdf: Buffer;
  signedCount: number;
  /** Set when a signer's key is not available to the server: the draft waits for that person. */
  waitingFor?: 'external' | 'pin' | 'remote';
}

/** Applies `definition.result.signers[from..]` in order, each as an incremental update, until one must wait. */
export async function applySigners(ctx: AppContext, input: SignersInput): Promise<SignersOutcome> {
  const { definition, dossier } = input;
  const agency = await issuingAgency(ctx, dossier);
  if (!agency) throw new AppError('INTERNAL_ERROR', 'agency missing');
  let pdf = input.pdf;
  const signers = definition.result.signers;
  for (let i = input.from; i < signers.length; i++) {
    const step = signers[i] as ResultSigner;
    const resolved = await resolveSigner(ctx, step, input, agency);
    if ('waitingFor' in resolved) return { pdf, signedCount: i, waitingFor: resolved.waitingFor };
    const options: SignPdfOptions = { ...resolved.options, ...(input.signedAt ? { signingTime: input.signedAt } : {}), ...timestampOption(ctx) };
    // Its stamp becomes the signature's own appearance, in the field the layout left for it, showing its /M.
    options.appearance = await signatureAppearance(ctx, dossier, definition, input.leaderStaffId, i, options.signingTime ?? new Date());
    pdf = await timeSigning(step.kind, () => signPdf(pdf, options));
  }
  // Every signer done: the validation data (PAdES B-LT) after the last signature, when a certificate names OCSP/CRL.
  return { pdf: await addValidationData(ctx, pdf), signedCount: signers.length };
}

type Resolved = { options: SignPdfOptions } | { waitingFor: 'external' | 'pin' | 'remote' };

async function resolveSigner(ctx: AppContext, step: ResultSigner, input: SignersInput, agency: AgencyRow): Promise<Resolved> {
  if (step.kind === 'seal') {
    const unitId = await sealUnit(ctx.db, step, input.dossier);
    const mode = await ctx.signerKeys.usableModeFor({ unitId });
    if (!mode || mode.kind !== 'server') {
      throw new AppError('SIGNING_KEY_MISSING', `Đơn vị ${unitId} chưa có con dấu số trên máy chủ.`);
    }
    return { options: signatureOptions(mode.signer, agency.name, `Đóng dấu ${agency.name}`, agency) };
  }
  const staff = await findStaffById(ctx.db, input.leaderStaffId);
  if (!staff) throw new AppError('INTERNAL_ERROR', 'signer missing');
  await assertMaySignResult(ctx.db, input.definition, input.dossier, staff);
  // An out-of-date certificate is refused here, before a draft would wait for a PIN or a device that cannot sign validly.
  const mode = await ctx.signerKeys.usableModeFor({ staffId: staff.id });
  if (!mode) throw new AppError('SIGNING_KEY_MISSING', 'Người ký chưa có chứng thư số.');
  if (mode.kind === 'external') return { waitingFor: 'external' };
  // The key stays with the remote-signing provider: the official confirms on their phone (services/results/remote-signing.ts).
  if (mode.kind === 'remote') return { waitingFor: 'remote' };
  if (mode.kind === 'pin') {
    if (input.pin === undefined) return { waitingFor: 'pin' };
    return { options: leaderOptions(await ctx.signerKeys.unlock({ staffId: staff.id }, input.pin, input.pinActor), staff, agency) };
  }
  return { options: leaderOptions(mode.signer, staff, agency) };
}

/**
 * The agency that issues the result: the one of the unit holding the dossier when it is signed — the department
 * for its own procedures, the school whose principal decides a transfer or an admission.
 */
export function issuingAgency(ctx: AppContext, dossier: Pick<dossiers.DossierRow, 'unitId'>): Promise<AgencyRow | undefined> {
  return findAgencyOfUnit(ctx.db, dossier.unitId);
}

/** A seal without a unit in the definition is the seal of the unit holding the dossier (e.g. the deciding school). */
export function leaderReason(staff: StaffRow, agency: AgencyRow): string {
  return `${staff.title}, ${agency.name}`;
}

function leaderOptions(signer: Signer, staff: StaffRow, agency: AgencyRow): SignPdfOptions {
  return signatureOptions(signer, staff.fullName, leaderReason(staff, agency), agency);
}

function signatureOptions(signer: Signer, name: string, reason: string, agency: AgencyRow): SignPdfOptions {
  return {
    key: signer.key, certificatePem: signer.certificatePem, chainPem: signer.chainPem,
    name, reason, location: agency.place, signingTime: new Date(),
  };
}

const timestampers = new Map<string, Timestamper>();

/** PAdES B-T when a TSA is configured. */
export function timestampOption(ctx: AppContext): { timestamp?: Timestamper } {
  const url = ctx.config.tsaUrl;
  if (!url) return {};
  let timestamper = timestampers.get(url);
  if (!timestamper) timestampers.set(url, (timestamper = rfc3161Timestamper(url)));
  return { timestamp: timestamper };
}

/**
 * The finished result: file, issued_documents row, its register line marked issued (who signed, where it goes) and
 * the end of the draft, in one transaction.
 */
export async function storeResult(ctx: AppContext, dossierId: string, signed: Buffer, signerStaffId: string, issuedAt: Date, extra?: (tx: AppContext['db']) => Promise<void>): Promise<void> {
  const storageKey = newFileKey('issued');
  const [dossier, signer] = await Promise.all([dossiers.findDossierById(ctx.db, dossierId), findStaffById(ctx.db, signerStaffId)]);
  if (!dossier) throw new AppError('DOSSIER_NOT_FOUND', `dossier ${dossierId} is gone`);
  const [definition, unit] = await Promise.all([ctx.catalog.definitionFor(dossier.procedureVersionId), findUnit(ctx.db, dossier.unitId)]);
  const stored = await ctx.files.put(ctx.db, [{ key: storageKey, data: signed }]);
  await ctx.db.transaction(async (tx) => {
    await extra?.(tx);
    await ctx.files.record(tx, stored);
    await insertIssuedDocument(tx, {
      dossierId, kind: 'result', storageKey, sha256: createHash('sha256').update(signed).digest('hex'),
      sizeBytes: signed.length, signerStaffId, signedAt: issuedAt,
    });
    // The person the result is about finds it in their e-document store (the same stored file).
    await storeIssuedResult(tx, dossier, definition, { storageKey, data: signed });
    await markDocumentIssued(tx, {
      // The callers store the result with the time it was rendered (and numbered) with.
      dossierId, subject: RESULT_SUBJECT, issuedAt, renderedAt: issuedAt, signerName: signer?.fullName ?? null,
      // As the signer block reads it, on one line: "KT. GIÁM ĐỐC, Phó Giám đốc".
      signerTitle: signer ? signerBlockTitle(signer).split('\n').join(', ') : null,
      recipients: resultRecipients(definition, dossier, unit),
    });
    await deleteDraft(tx, dossierId);
  });
}

/** Form data, the label of every chosen option, and the latest data of each action form (e.g. the register check). */
export function resultContext(definition: WorkflowDefinition, dossier: dossiers.DossierRow, events: dossiers.DossierEventRow[]): Record<string, unknown> {
  const form = definition.forms[definition.intakeForm];
  const labels: Record<string, string> = {};
  for (const field of form?.fields ?? []) {
    const chosen = field.options?.find((o) => o.value === dossier.formData[field.name]);
    if (chosen) labels[`${field.name}Label`] = chosen.label;
  }
  const forms: Record<string, unknown> = {};
  for (const event of events) {
    const formKey = event.fromStatus ? definition.states[event.fromStatus]?.on[event.action]?.form : undefined;
    if (formKey && event.data) forms[formKey] = event.data;
  }
  return { ...dossier.formData, ...labels, forms, legalBasis: definition.legalBasis, dossierCode: dossier.code, applicantName: dossier.applicantName };
}
