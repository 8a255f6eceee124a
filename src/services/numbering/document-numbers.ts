// Gives a document its number and symbol (Decree 30/2020, art. 15 and Appendix III): "125/QĐ-SGDĐT" is the 125th
// line of the Department's register of outgoing documents this year, a decision. The number is inside what gets
// signed, so it is given when the document is first rendered for signing, bound to the dossier and the document
// (`subject`); rendering it again (a PIN or a device signs later) reuses it, and the line becomes "issued" when the
// signed document is stored. Counters are rows locked by the allocating transaction: unique and gapless under
// concurrency (a rollback gives the number back). Only a document reserved in one year and rendered again in the next
// is renumbered in the new year's register (its old line is voided and shows as "Hủy số", never reused).
import type { Db } from '../../db/client.js';
import {
  findDocumentKind, findLineForUpdate, insertLine, lockDocumentSubject, nextNumber, updateLine, voidLine, type RegisteredDocumentRow,
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
 * The number of this document, given now if it has none that still holds. The result path calls it in a short
 * transaction of its own before rendering (holding the register's counter row through signing and a timestamp request
 * would serialise the agency's whole issuing); the number is bound to the document, so every later render reuses it.
 * Number one document per transaction: two in one transaction lock counters and documents in an order another
 * transaction may reverse.
 *
 * One document (dossier + subject) has at most one live line (reserved or issued); its voided lines are of earlier
 * years. An issued line is final whatever the year (its number is in a signed document); a reserved line is reused
 * unless `at` is in a later year, and a document never moves back to an earlier year's register (a clock that is
 * behind another process's around New Year keeps the newer number).
 */
export async function numberDocument(tx: Db, request: NumberRequest): Promise<DocumentNumber> {
  const kind = await findDocumentKind(tx, request.kind);
  if (!kind) throw new AppError('INTERNAL_ERROR', `unknown document kind ${request.kind}`);
  const year = registerYear(request.at);
  await lockDocumentSubject(tx, request.dossierId, request.subject);
  const live = liveLine(await findLineForUpdate(tx, request.dossierId, request.subject));
  if (live && (live.status === 'issued' || live.year >= year)) return numberOf(live);
  if (live) await voidLine(tx, live.id);
  const symbol = request.agencyAbbreviation ? `${kind.abbreviation}-${request.agencyAbbreviation}` : kind.abbreviation;
  const number = await nextNumber(tx, request.agencyCode, kind.register, year);
  await insertLine(tx, {
    agencyCode: request.agencyCode, register: kind.register, year, number, kind: kind.key, kindName: kind.name, symbol,
    dossierId: request.dossierId, subject: request.subject, summary: request.summary,
  });
  return { number, year, register: kind.register, symbol, text: formatDocumentNumber(number, symbol) };
}

/** The line that holds: the newest one not voided (there is at most one; older data may have left more). */
function liveLine(lines: RegisteredDocumentRow[]): RegisteredDocumentRow | undefined {
  return lines.filter((l) => l.status !== 'void').at(-1);
}

function numberOf(line: RegisteredDocumentRow): DocumentNumber {
  return { number: line.number, year: line.year, register: line.register, symbol: line.symbol, text: formatDocumentNumber(line.number, line.symbol) };
}

export interface IssuedDetails {
  dossierId: string;
  subject: string;
  issuedAt: Date;
  signerName?: string | null;
  signerTitle?: string | null;
  recipients?: string[];
  /**
   * The time the stored document was rendered with (its number is the line of that year). Around New Year two
   * renders of one document may exist (the older one's line voided by the newer): the one that gets stored decides.
   */
  renderedAt?: Date;
}

/**
 * Marks the document's line issued (in the transaction that stores the signed document): the number it was rendered
 * with, whatever the year of `issuedAt` (renumbering for a new year happens when it is rendered, numberDocument). A
 * document that was never numbered has no line: nothing to mark.
 */
export async function markDocumentIssued(tx: Db, details: IssuedDetails): Promise<void> {
  await lockDocumentSubject(tx, details.dossierId, details.subject);
  const lines = await findLineForUpdate(tx, details.dossierId, details.subject);
  const printedYear = details.renderedAt ? registerYear(details.renderedAt) : undefined;
  const line = lines.find((l) => l.year === printedYear) ?? liveLine(lines);
  if (!line) return;
  // The stored document carries this line's number: any other reserved line of the document was never issued.
  for (const other of lines) if (other.id !== line.id && other.status === 'reserved') await voidLine(tx, other.id);
  await updateLine(tx, line.id, {
    // A detail left out (a retried store that knows less) keeps what was recorded.
    status: 'issued', issuedAt: details.issuedAt, signerName: details.signerName ?? line.signerName,
    signerTitle: details.signerTitle ?? line.signerTitle, recipients: details.recipients ?? line.recipients,
  });
}
