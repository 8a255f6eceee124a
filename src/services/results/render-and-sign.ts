// The result document's making, shared by every way of issuing it (the issue-result job, PIN and batch signing,
// external signing, the unsigned preview): render it with the signers' stamps, apply `result.signers` in order
// (the leader's signature, then the organisation's seal, each a PAdES incremental update), and store it.
import { createHash } from 'node:crypto';
import type { AppContext } from '../../app-context.js';
import * as dossiers from '../../db/repositories/dossiers.js';
import { insertFiles, newFileKey } from '../../db/repositories/files.js';
import { insertIssuedDocument } from '../../db/repositories/issued-documents.js';
import { deleteDraft, findAppearance } from '../../db/repositories/signing.js';
import type { SignatureStamp } from '../../documents/signature-stamp.js';
import { findAgencyOfUnit, findStaffById, type AgencyRow, type StaffRow } from '../../db/repositories/staff.js';
import { renderResultPdf } from '../../documents/render-result.js';
import { AppError } from '../../errors.js';
import { timeSigning } from '../../metrics/process.js';
import { signPdf, type SignPdfOptions, type Timestamper } from '../../signing/sign-pdf.js';
import { rfc3161Timestamper } from '../../signing/tsa.js';
import type { ResultSigner, WorkflowDefinition } from '../../workflow/types.js';
import { verificationUrl } from '../access.js';
import { assertMaySignResult, sealUnit, signerBlockTitle } from './signing-authority.js';
import { addValidationData } from './long-term-validation.js';
import type { Signer } from '../keys/signer-keys.js';
import type { AuditActor } from '../audit/audit.js';

/**
 * Renders the result with the visible stamps of every signer in the definition, timed `issuedAt`: the server
 * path signs right after; the PIN and external paths render again when the official actually signs.
 */
export async function renderResult(ctx: AppContext, dossier: dossiers.DossierRow, definition: WorkflowDefinition, signerStaffId: string, issuedAt: Date): Promise<Buffer> {
  const [signer, agency, events] = await Promise.all([
    findStaffById(ctx.db, signerStaffId),
    issuingAgency(ctx, dossier),
    dossiers.listEvents(ctx.db, dossier.id),
  ]);
  if (!signer || !agency) throw new AppError('INTERNAL_ERROR', 'signer or agency missing');
  const stamps: SignatureStamp[] = [];
  for (const step of definition.result.signers) {
    const owner = step.kind === 'seal' ? { unitId: await sealUnit(ctx.db, step, dossier) } : { staffId: signer.id };
    const image = await findAppearance(ctx.db, owner);
    stamps.push(step.kind === 'seal'
      ? { kind: 'seal', name: agency.name, organisation: agency.name, signedAt: issuedAt, ...(image ? { image } : {}) }
      : { kind: 'signature', name: signer.fullName, title: signer.title, organisation: agency.name, signedAt: issuedAt, ...(image ? { image } : {}) });
  }
  return renderResultPdf({
    stamps,
    template: definition.result.template,
    templatesDir: ctx.config.templatesDir,
    title: definition.result.title,
    dossierCode: dossier.code,
    documentNumber: `${dossier.code.split('-').at(-1)}/${issuedAt.getFullYear()}/KQ`,
    // The QR's link carries the verification key: the page says nothing about a dossier without it.
    verifyUrl: verificationUrl(ctx.secret, dossier, ctx.config.publicUrl),
    issuer: { parentName: agency.parentName, agencyName: agency.name },
    place: agency.place,
    issuedAt,
    signer: { name: signer.fullName, title: signerBlockTitle(signer) },
    recipients: [dossier.applicantName, 'Lưu: VT'],
    context: resultContext(definition, dossier, events),
  });
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

/** The finished result: file, issued_documents row and the end of the draft, in one transaction. */
export async function storeResult(ctx: AppContext, dossierId: string, signed: Buffer, signerStaffId: string, issuedAt: Date, extra?: (tx: AppContext['db']) => Promise<void>): Promise<void> {
  const storageKey = newFileKey('issued');
  await ctx.db.transaction(async (tx) => {
    await extra?.(tx);
    await insertFiles(tx, [{ key: storageKey, data: signed }]);
    await insertIssuedDocument(tx, {
      dossierId, kind: 'result', storageKey, sha256: createHash('sha256').update(signed).digest('hex'),
      sizeBytes: signed.length, signerStaffId, signedAt: issuedAt,
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
