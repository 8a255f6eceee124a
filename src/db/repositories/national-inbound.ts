// The national portal's inbound channel: its log of pushed messages, and the dossier it already pushed under a code.
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../client.js';
import { dossiers, nationalInboundMessages } from '../schema/index.js';

export type InboundMessageRow = typeof nationalInboundMessages.$inferSelect;
export type NewInboundMessage = typeof nationalInboundMessages.$inferInsert;
export type InboundOutcome = InboundMessageRow['outcome'];

export async function insertInboundMessage(db: Db, message: NewInboundMessage): Promise<void> {
  await db.insert(nationalInboundMessages).values(message);
}

/** The dossier the portal pushed under this national code (dossiers_national_code_uq), with what a replay answers. */
export async function findDossierByNationalCode(db: Db, nationalCode: string) {
  const [row] = await db.select({
    id: dossiers.id, code: dossiers.code, status: dossiers.status, dueAt: dossiers.dueAt, requestHash: dossiers.requestHash,
    nationalCode: dossiers.nationalCode,
  }).from(dossiers).where(eq(dossiers.nationalCode, nationalCode));
  return row;
}

export interface InboundFilter {
  outcome?: InboundOutcome;
  /** Only messages older than this id (the next page). */
  beforeId?: number;
  limit: number;
}

/** Newest first, each with the code of the dossier it created or answered again. */
export async function listInboundMessages(db: Db, filter: InboundFilter) {
  const conditions = [
    filter.outcome ? eq(nationalInboundMessages.outcome, filter.outcome) : undefined,
    filter.beforeId ? lt(nationalInboundMessages.id, filter.beforeId) : undefined,
  ].filter((c) => c !== undefined);
  return db.select({
    id: nationalInboundMessages.id, receivedAt: nationalInboundMessages.receivedAt, nationalCode: nationalInboundMessages.nationalCode,
    procedureCode: nationalInboundMessages.procedureCode, outcome: nationalInboundMessages.outcome,
    errorCode: nationalInboundMessages.errorCode, errorMessage: nationalInboundMessages.errorMessage,
    details: nationalInboundMessages.details, sourceIp: nationalInboundMessages.sourceIp, dossierCode: dossiers.code,
  }).from(nationalInboundMessages)
    .leftJoin(dossiers, eq(dossiers.id, nationalInboundMessages.dossierId))
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(nationalInboundMessages.id)).limit(filter.limit);
}
