// Hand-overs to officials' local signing agents (services/results/agent-signing.ts): found by the hash of a
// one-time token; each token is claimed by one conditional update, so two requests racing cannot both use it.
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agentSigningSessions } from '../schema/index.js';

export type AgentSigningSessionRow = typeof agentSigningSessions.$inferSelect;

export async function insertAgentSession(db: Db, values: typeof agentSigningSessions.$inferInsert): Promise<AgentSigningSessionRow> {
  const [row] = await db.insert(agentSigningSessions).values(values).returning();
  if (!row) throw new Error('agent signing session insert returned no row');
  return row;
}

export async function findAgentSessionByToken(db: Db, kind: 'download' | 'upload', tokenHash: string): Promise<AgentSigningSessionRow | undefined> {
  const column = kind === 'download' ? agentSigningSessions.downloadTokenHash : agentSigningSessions.uploadTokenHash;
  const [row] = await db.select().from(agentSigningSessions).where(eq(column, tokenHash));
  return row;
}

/** True for the one request that downloads the file. */
export async function claimAgentDownload(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db.update(agentSigningSessions).set({ downloadedAt: at })
    .where(and(eq(agentSigningSessions.id, id), isNull(agentSigningSessions.downloadedAt))).returning({ id: agentSigningSessions.id });
  return rows.length === 1;
}

/** True for the one request that uploads the signed file; the outcome is written later by recordAgentOutcome. */
export async function claimAgentUpload(db: Db, id: string, at: Date, outcome: string): Promise<boolean> {
  const rows = await db.update(agentSigningSessions).set({ usedAt: at, outcome })
    .where(and(eq(agentSigningSessions.id, id), isNull(agentSigningSessions.usedAt))).returning({ id: agentSigningSessions.id });
  return rows.length === 1;
}

/** With `whileOutcome`: only if the session's outcome is still that (an upload being checked), so a later one stays. */
export async function recordAgentOutcome(db: Db, id: string, outcome: string, whileOutcome?: string): Promise<void> {
  const session = eq(agentSigningSessions.id, id);
  await db.update(agentSigningSessions).set({ outcome })
    .where(whileOutcome === undefined ? session : and(session, eq(agentSigningSessions.outcome, whileOutcome)));
}

/**
 * The upload token usable again (within its expiry) after a failure that was ours, not the file's: only while the
 * session's outcome is still 'checking' — never once the signature was stored. True if it was reopened.
 */
export async function reopenAgentUpload(db: Db, id: string, outcome: string): Promise<boolean> {
  const rows = await db.update(agentSigningSessions).set({ usedAt: null, outcome })
    .where(and(eq(agentSigningSessions.id, id), eq(agentSigningSessions.outcome, 'checking'))).returning({ id: agentSigningSessions.id });
  return rows.length === 1;
}
