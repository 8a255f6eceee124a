// Gives a document its number and symbol (Decree 30/2020, art. 15 and Appendix III): "125/QĐ-SGDĐT" is the 125th
// line of the Department's register of outgoing documents this year, a decision. The number is inside what gets
// signed, so it is given when the document is first rendered for signing, bound to the dossier and the document
// (`subject`); rendering it again (a PIN or a device signs later) reuses it, and the line becomes "issued" when the
// signed document is stored. Counters are rows locked by the allocating transaction: unique and gapless under
// concurrency (a rollback gives the number back). Only a document reserved in one year and issued in the next is
// renumbered in the new year's register (its old line is voided, not reused).
import type { Db } from '../../db/client.js';
import {
  findDocumentKind, findLineForUpdate, insertLine, nextNumber, updateLine, voidLine,
} from '../../db/repositories/document-register.js';
import type { DocumentRegister } from '../../db/schema/index.js';
import { vnDay } from '../../calendar/vn-time.js';
import { AppError } from '../../errors.js';

export interface DocumentNumber {
  number: number;
  year: number;
  register: DocumentRegister;
  /** "QĐ-SGDĐT". */
  symbol: string;
  /** What the document prints after "Số: ": "125/QĐ-SGDĐT". */
  text: string;
}

export interface NumberRequest {
  /** The issuing agency (its register, its abbreviation in the symbol). */
  agencyCode: string;
  agencyAbbreviation: string | null;
  /** A document kind key (document_kinds): 'decision', 'copy', 'receipt', ... */
  kind: string;
  dossierId: string;
  /** Which document of the dossier: 'result', 'form:receipt', 'form:supplement-request-2', ... */
  subject: string;
  /** Trích yếu. */
  summary: string;
  /** The document's date: its Vietnam year picks the register. */
  at: Date;
}

/** The calendar year of `at` in Vietnam: the register a document dated `at` belongs to. */
export function registerYear(at: Date): number {
  return Number(vnDay(at).slice(0, 4));
}

export function formatDocumentNumber(number: number, symbol: string): string {
  // Decree 30, Appendix I: numbers below 10 are written with a leading zero ("05/QĐ-SGDĐT").
  return `${String(number).padStart(2, '0')}/${symbol}`;
}

/**
 * The number of this document, given now if it has none for the year of `at`. Call inside the transaction that
 * stores what the number is printed on (the draft, the issued form): both commit or neither.
 */
export async function numberDocument(tx: Db, request: NumberRequest): Promise<DocumentNumber> {
  const kind = await findDocumentKind(tx, request.kind);
  if (!kind) throw new AppError('INTERNAL_ERROR', `unknown document kind ${request.kind}`);
  const year = registerYear(request.at);
  const lines = await findLineForUpdate(tx, request.dossierId, request.subject);
  const current = lines.find((l) => l.status !== 'void' && l.year === year);
  if (current) return { number: current.number, year, register: current.register, symbol: current.symbol, text: formatDocumentNumber(current.number, current.symbol) };
  for (const stale of lines.filter((l) => l.status === 'reserved')) await voidLine(tx, stale.id);
  const symbol = request.agencyAbbreviation ? `${kind.abbreviation}-${request.agencyAbbreviation}` : kind.abbreviation;
  const number = await nextNumber(tx, request.agencyCode, kind.register, year);
  await insertLine(tx, {
    agencyCode: request.agencyCode, register: kind.register, year, number, kind: kind.key, symbol,
    dossierId: request.dossierId, subject: request.subject, summary: request.summary,
  });
  return { number, year, register: kind.register, symbol, text: formatDocumentNumber(number, symbol) };
}

export interface IssuedDetails {
  dossierId: string;
  subject: string;
  issuedAt: Date;
  signerName?: string | null;
  signerTitle?: string | null;
  recipients?: string[];
}

/** Marks the document's line issued (in the transaction that stores the signed document). */
export async function markDocumentIssued(tx: Db, details: IssuedDetails): Promise<void> {
  const lines = await findLineForUpdate(tx, details.dossierId, details.subject);
  const line = lines.find((l) => l.status !== 'void' && l.year === registerYear(details.issuedAt)) ?? lines.find((l) => l.status !== 'void');
  if (!line) return;
  await updateLine(tx, line.id, {
    status: 'issued', issuedAt: details.issuedAt, signerName: details.signerName ?? null, signerTitle: details.signerTitle ?? null,
    recipients: details.recipients ?? line.recipients,
  });
}
