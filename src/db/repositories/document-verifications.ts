import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { documentVerifications } from '../schema/index.js';

/** The stored verification of these exact bytes against these trust anchors (schema/results.ts), if any. */
export async function findDocumentVerification(db: Db, sha256: string, anchors: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await db.select({ result: documentVerifications.result }).from(documentVerifications)
    .where(and(eq(documentVerifications.sha256, sha256), eq(documentVerifications.anchors, anchors)));
  return row?.result;
}

/** First writer wins: two views verifying the same new file at once store the same answer. */
export async function rememberDocumentVerification(db: Db, sha256: string, anchors: string, result: Record<string, unknown>): Promise<void> {
  await db.insert(documentVerifications).values({ sha256, anchors, result }).onConflictDoNothing();
}
