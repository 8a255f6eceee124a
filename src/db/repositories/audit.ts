import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { auditLog } from '../schema/index.js';

export type AuditRow = typeof auditLog.$inferSelect;
export type NewAuditRow = typeof auditLog.$inferInsert;

export async function insertAuditEntry(db: Db, entry: NewAuditRow): Promise<void> {
  await db.insert(auditLog).values(entry);
}

export interface AuditFilter {
  from?: Date;
  /** Exclusive: entries strictly before this instant. */
  to?: Date;
  /** An account id. */
  actorId?: string;
  /** An exact action, or a prefix ending in '.' ("staff." = every account change). */
  action?: string;
  /** An exact target (a dossier code, a username). */
  target?: string;
  /** Only entries older than this id (the next page). */
  beforeId?: number;
  limit: number;
}

/** Newest first. */
export async function listAuditEntries(db: Db, filter: AuditFilter): Promise<AuditRow[]> {
  const conditions = [
    filter.from ? gte(auditLog.at, filter.from) : undefined,
    filter.to ? lt(auditLog.at, filter.to) : undefined,
    filter.actorId ? eq(auditLog.actorId, filter.actorId) : undefined,
    filter.action ? (filter.action.endsWith('.') ? sql`${auditLog.action} like ${`${filter.action.replace(/[\\%_]/g, '\\$&')}%`}` : eq(auditLog.action, filter.action)) : undefined,
    filter.target ? eq(auditLog.target, filter.target) : undefined,
    filter.beforeId ? lt(auditLog.id, filter.beforeId) : undefined,
  ].filter((c) => c !== undefined);
  return db.select().from(auditLog).where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id)).limit(filter.limit);
}
