import { and, arrayContains, asc, desc, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  agentSigningSessions, issuedDocuments, remoteSigningItems, remoteSigningRequests, signingAppearances, signingDrafts, signingKeys,
  signingPreparations, staffAccounts, units,
} from '../schema/index.js';

export type SigningDraftRow = typeof signingDrafts.$inferSelect;
export type SigningPreparationRow = typeof signingPreparations.$inferSelect;
export type SigningKeyRow = typeof signingKeys.$inferSelect;

export async function findActiveKey(db: Db, owner: { staffId: string } | { unitId: string }): Promise<SigningKeyRow | undefined> {
  const where = 'staffId' in owner ? eq(signingKeys.staffId, owner.staffId) : eq(signingKeys.unitId, owner.unitId);
  const [row] = await db.select().from(signingKeys).where(and(where, eq(signingKeys.active, true))).orderBy(desc(signingKeys.createdAt)).limit(1);
  return row;
}

/**
 * A new key replaces the owner's previous ones (kept, inactive, for the record). Call inside a transaction: the
 * owner's row is locked first so two uploads at once replace one another in turn instead of both staying active.
 */
export async function replaceKey(db: Db, values: typeof signingKeys.$inferInsert): Promise<SigningKeyRow> {
  if (values.staffId) await db.select({ id: staffAccounts.id }).from(staffAccounts).where(eq(staffAccounts.id, values.staffId)).for('update');
  else await db.select({ id: units.id }).from(units).where(eq(units.id, values.unitId!)).for('update');
  const owner = values.staffId ? eq(signingKeys.staffId, values.staffId) : eq(signingKeys.unitId, values.unitId!);
  await db.update(signingKeys).set({ active: false }).where(and(owner, eq(signingKeys.active, true)));
  const [row] = await db.insert(signingKeys).values(values).returning();
  if (!row) throw new Error('signing key insert returned no row');
  return row;
}

export async function upsertDraft(db: Db, values: typeof signingDrafts.$inferInsert): Promise<void> {
  await db.insert(signingDrafts).values(values).onConflictDoUpdate({
    target: signingDrafts.dossierId,
    set: { pdf: values.pdf, signedCount: values.signedCount, waitingFor: values.waitingFor, signerStaffId: values.signerStaffId },
  });
}

export async function findDraft(db: Db, dossierId: string, forUpdate = false): Promise<SigningDraftRow | undefined> {
  const query = db.select().from(signingDrafts).where(eq(signingDrafts.dossierId, dossierId));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

/**
 * Locks the drafts of these dossiers until the transaction ends, in a fixed order (two callers locking overlapping
 * sets wait for one another instead of deadlocking): whoever changes what waits on a draft decides one at a time.
 */
export async function lockDrafts(db: Db, dossierIds: readonly string[]): Promise<void> {
  if (dossierIds.length === 0) return;
  await db.select({ dossierId: signingDrafts.dossierId }).from(signingDrafts)
    .where(inArray(signingDrafts.dossierId, [...new Set(dossierIds)])).orderBy(asc(signingDrafts.dossierId)).for('update');
}

export async function deleteDraft(db: Db, dossierId: string): Promise<void> {
  await db.delete(signingDrafts).where(eq(signingDrafts.dossierId, dossierId));
}

export async function insertPreparation(db: Db, values: typeof signingPreparations.$inferInsert): Promise<SigningPreparationRow> {
  const [row] = await db.insert(signingPreparations).values(values).returning();
  if (!row) throw new Error('preparation insert returned no row');
  return row;
}

export async function findPreparation(db: Db, id: string, forUpdate = false): Promise<SigningPreparationRow | undefined> {
  const query = db.select().from(signingPreparations).where(eq(signingPreparations.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function markPreparationCompleted(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db.update(signingPreparations).set({ completedAt: at })
    .where(and(eq(signingPreparations.id, id), isNull(signingPreparations.completedAt))).returning({ id: signingPreparations.id });
  return rows.length === 1;
}

export async function findIssuedBySha256(db: Db, sha256: string): Promise<typeof issuedDocuments.$inferSelect | undefined> {
  const [row] = await db.select().from(issuedDocuments).where(and(eq(issuedDocuments.sha256, sha256), eq(issuedDocuments.kind, 'result'))).limit(1);
  return row;
}

/** Issued results whose SHA-256 is any of `hashes`, in one query (the verifier's candidates: the file and each signed revision). */
export async function findIssuedBySha256Any(db: Db, hashes: readonly string[]): Promise<Array<typeof issuedDocuments.$inferSelect>> {
  if (hashes.length === 0) return [];
  return db.select().from(issuedDocuments).where(and(inArray(issuedDocuments.sha256, [...new Set(hashes)]), eq(issuedDocuments.kind, 'result')));
}

/** How many dossiers wait for this official's signature (for the inbox-like listing of batch signing). */
export async function listDraftsFor(db: Db, staffId: string): Promise<Array<{ dossierId: string; waitingFor: string }>> {
  return db.select({ dossierId: signingDrafts.dossierId, waitingFor: signingDrafts.waitingFor }).from(signingDrafts)
    .where(eq(signingDrafts.signerStaffId, staffId)).orderBy(sql`${signingDrafts.createdAt}`);
}

export async function upsertAppearance(db: Db, owner: { staffId: string } | { unitId: string }, image: Buffer): Promise<void> {
  const target = 'staffId' in owner ? signingAppearances.staffId : signingAppearances.unitId;
  await db.insert(signingAppearances).values({ ...owner, image }).onConflictDoUpdate({ target, set: { image, createdAt: new Date() } });
}

export async function findAppearance(db: Db, owner: { staffId: string } | { unitId: string }): Promise<Buffer | undefined> {
  const where = 'staffId' in owner ? eq(signingAppearances.staffId, owner.staffId) : eq(signingAppearances.unitId, owner.unitId);
  const [row] = await db.select({ image: signingAppearances.image }).from(signingAppearances).where(where);
  return row?.image;
}

// --- The administrators' view of keys (services/keys/manage-keys.ts) ---

/** A key with its owner's names, for the keys page; `envelope` is the start of the stored key, enough to tell its mode. */
export interface KeyListRow {
  id: string;
  staffId: string | null;
  unitId: string | null;
  certificatePem: string;
  envelope: string;
  active: boolean;
  pinLockedUntil: Date | null;
  createdAt: Date;
  username: string | null;
  staffName: string | null;
  staffTitle: string | null;
  unitName: string | null;
}

const keyListColumns = {
  id: signingKeys.id, staffId: signingKeys.staffId, unitId: signingKeys.unitId, certificatePem: signingKeys.certificatePem,
  // Never the ciphertext itself: its first characters say "external", "v1:" or "v2:".
  envelope: sql<string>`substr(${signingKeys.encryptedPrivateKey}, 1, 8)`,
  active: signingKeys.active, pinLockedUntil: signingKeys.pinLockedUntil, createdAt: signingKeys.createdAt,
  username: staffAccounts.username, staffName: staffAccounts.fullName, staffTitle: staffAccounts.title, unitName: units.name,
};

function keysWithOwners(db: Db) {
  return db.select(keyListColumns).from(signingKeys)
    .leftJoin(staffAccounts, eq(staffAccounts.id, signingKeys.staffId))
    .leftJoin(units, eq(units.id, signingKeys.unitId));
}

/** Every key, the active ones first, newest first. */
export async function listKeysWithOwners(db: Db, only?: { active: boolean }): Promise<KeyListRow[]> {
  return keysWithOwners(db).where(only ? eq(signingKeys.active, only.active) : undefined)
    .orderBy(desc(signingKeys.active), desc(signingKeys.createdAt));
}

/** One key with its owner; locked until the transaction ends when `forUpdate`. */
export async function findKeyWithOwner(db: Db, id: string, forUpdate = false): Promise<KeyListRow | undefined> {
  const query = keysWithOwners(db).where(eq(signingKeys.id, id));
  const [row] = forUpdate ? await query.for('update', { of: signingKeys }) : await query;
  return row;
}

/** True when the key was active and is not any more. */
export async function deactivateKey(db: Db, id: string): Promise<boolean> {
  const rows = await db.update(signingKeys).set({ active: false })
    .where(and(eq(signingKeys.id, id), eq(signingKeys.active, true))).returning({ id: signingKeys.id });
  return rows.length === 1;
}

/** Who has a signature or seal image. */
export async function listAppearanceOwners(db: Db): Promise<Array<{ staffId: string | null; unitId: string | null }>> {
  return db.select({ staffId: signingAppearances.staffId, unitId: signingAppearances.unitId }).from(signingAppearances);
}

/** Those who sign results: active staff with `role`, each with whether they hold an active key. */
export async function listSigningStaff(db: Db, role: string) {
  return db.select({
    id: staffAccounts.id, username: staffAccounts.username, fullName: staffAccounts.fullName, title: staffAccounts.title, unitName: units.name,
    // Spelled out: drizzle leaves columns unqualified in a one-table query, which would bind them to the subquery.
    hasKey: sql<boolean>`exists (select 1 from signing_keys k where k.staff_id = "staff_accounts"."id" and k.active)`,
  }).from(staffAccounts).innerJoin(units, eq(units.id, staffAccounts.unitId))
    .where(and(eq(staffAccounts.active, true), arrayContains(staffAccounts.roles, [role])))
    .orderBy(asc(units.name), asc(staffAccounts.fullName));
}

/** The units of these kinds (those whose seal a result carries), each with whether it holds an active key. */
export async function listSealUnits(db: Db, kinds: ReadonlyArray<(typeof units.$inferSelect)['kind']>) {
  return db.select({
    id: units.id, name: units.name, kind: units.kind,
    hasKey: sql<boolean>`exists (select 1 from signing_keys k where k.unit_id = "units"."id" and k.active)`,
  }).from(units).where(inArray(units.kind, [...kinds])).orderBy(asc(units.name));
}


/**
 * The unit whose seal an agency's own papers carry (its one-stop forms): its unit of one of `kinds` (the Department's
 * board, a school's office), a top-level one first. Undefined for an agency without such a unit.
 */
export async function findSealUnitOfAgency(
  db: Db, agencyCode: string, kinds: ReadonlyArray<(typeof units.$inferSelect)['kind']>,
): Promise<{ id: string; name: string } | undefined> {
  const [row] = await db.select({ id: units.id, name: units.name }).from(units)
    .where(and(eq(units.agencyCode, agencyCode), inArray(units.kind, [...kinds])))
    .orderBy(sql`${units.parentId} is not null`, asc(units.kind), asc(units.id)).limit(1);
  return row;
}

// --- Clean-up of ended signing hand-overs (services/operations/signing-cleanup.ts) ---
// Each call deletes at most `limit` rows in one short statement; rows another transaction holds are skipped (the next
// pass takes them), so the sweep never waits on, nor long blocks, a signing in progress.

/** Agent sessions used, or expired, before `endedBefore`. Returns how many were deleted. */
export async function deleteEndedAgentSessions(db: Db, endedBefore: Date, limit: number): Promise<number> {
  const ended = db.select({ id: agentSigningSessions.id }).from(agentSigningSessions)
    .where(or(lt(agentSigningSessions.usedAt, endedBefore), lt(agentSigningSessions.expiresAt, endedBefore)))
    .limit(limit).for('update', { skipLocked: true });
  const rows = await db.delete(agentSigningSessions).where(inArray(agentSigningSessions.id, ended)).returning({ id: agentSigningSessions.id });
  return rows.length;
}

/** External-signing preparations completed, or expired, before `endedBefore`. */
export async function deleteEndedPreparations(db: Db, endedBefore: Date, limit: number): Promise<number> {
  const ended = db.select({ id: signingPreparations.id }).from(signingPreparations)
    .where(or(lt(signingPreparations.completedAt, endedBefore), lt(signingPreparations.expiresAt, endedBefore)))
    .limit(limit).for('update', { skipLocked: true });
  const rows = await db.delete(signingPreparations).where(inArray(signingPreparations.id, ended)).returning({ id: signingPreparations.id });
  return rows.length;
}

/**
 * The documents of remote-signing requests that finished (confirmed, rejected, expired, failed) before `endedBefore`.
 * The request rows stay (small; the audit's `result.remote_requested` and `result.signed` cite their ids).
 */
export async function deleteFinishedRemoteItems(db: Db, endedBefore: Date, limit: number): Promise<number> {
  const ended = db.select({ id: remoteSigningItems.id }).from(remoteSigningItems)
    .innerJoin(remoteSigningRequests, eq(remoteSigningRequests.id, remoteSigningItems.requestId))
    .where(and(ne(remoteSigningRequests.status, 'pending'), lt(remoteSigningRequests.completedAt, endedBefore)))
    .limit(limit).for('update', { of: remoteSigningItems, skipLocked: true });
  const rows = await db.delete(remoteSigningItems).where(inArray(remoteSigningItems.id, ended)).returning({ id: remoteSigningItems.id });
  return rows.length;
}
